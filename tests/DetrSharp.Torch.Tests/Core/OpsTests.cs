using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Core;

/// <summary>Each op family against values worked out by hand.</summary>
public class OpsTests
{
    static Tensor T(float[] v, params long[] shape) => torch.tensor(v, shape.Length == 0 ? null : shape);
    static Tensor L(long[] v, params long[] shape) => torch.tensor(v, shape.Length == 0 ? null : shape);

    [Fact]
    public void ElementwiseWithBroadcastingAndInPlace()
    {
        using var scope = torch.NewDisposeScope();
        var a = T(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var b = T(new float[] { 10, 20, 30 }, 3);
        Assert.Equal(new float[] { 11, 22, 33, 14, 25, 36 }, (a + b).data<float>());
        Assert.Equal(new float[] { -9, -18, -27, -6, -15, -24 }, (a - b).data<float>());
        Assert.Equal(new float[] { 10, 40, 90, 40, 100, 180 }, (a * b).data<float>());
        Assert.Equal(new float[] { 0.5f, 1, 1.5f, 2, 2.5f, 3 }, (a / 2).data<float>());
        Assert.Equal(new float[] { 9, 8, 7, 6, 5, 4 }, (10 - a).data<float>());
        Assert.Equal(new float[] { 1, 4, 9, 16, 25, 36 }, a.pow(2).data<float>());
        Assert.Equal(new float[] { 21, 42, 63, 24, 45, 66 }, a.add(b, 2).data<float>());
        var c = a.clone();
        c.add_(b).mul_(2).sub_(1);
        Assert.Equal(new float[] { 21, 43, 65, 27, 49, 71 }, c.data<float>());
        Assert.Equal(new bool[] { false, false, true, true, true, true }, (a > 2).data<bool>());
        Assert.Equal(new bool[] { true, false, false, false, false, false }, a.eq(1).data<bool>());
        Assert.Equal(new float[] { 2, 2, 3, 4, 4, 4 }, a.clamp(2, 4).data<float>());
        var i = L(new long[] { 7, 8 });
        Assert.Equal(ScalarType.Int64, (i + 1).dtype);
        Assert.Equal(ScalarType.Float32, (i * 0.5).dtype);
        Assert.Equal(new float[] { 3.5f, 4 }, (i * 0.5).data<float>());
    }

    [Fact]
    public void UnaryMath()
    {
        using var scope = torch.NewDisposeScope();
        var x = T(new float[] { -1.5f, 0, 0.5f, 2.5f });
        Assert.Equal(new float[] { -2, 0, 0, 2 }, x.floor().data<float>());
        Assert.Equal(new float[] { -2, 0, 0, 2 }, x.round().data<float>()); // half to even
        Assert.Equal(new float[] { 1.5f, 0, 0.5f, 2.5f }, x.abs().data<float>());
        var y = T(new float[] { 0, 1 });
        Assert.Equal(new[] { 1f, MathF.E }, y.exp().data<float>());
        Assert.Equal(new[] { 0.5f, 1 / (1 + MathF.Exp(-1)) }, y.sigmoid().data<float>());
        Assert.Equal(new[] { 0f, MathF.Atan(1) }, y.atan().data<float>(), new FloatEq(1e-6f));
        Assert.Equal(new[] { 0f, 1f }, T(new float[] { 1, MathF.E }).log().data<float>(), new FloatEq(1e-6f));
        Assert.Equal(new[] { 2f, 3f }, T(new float[] { 4, 9 }).sqrt().data<float>());
        var s = T(new float[] { 1, 2, 3 }).softmax(0).data<float>();
        var e = new[] { MathF.Exp(1), MathF.Exp(2), MathF.Exp(3) };
        Assert.Equal(e.Select(v => v / e.Sum()).ToArray(), s, new FloatEq(1e-6f));
        var ls = T(new float[] { 1, 2, 3 }).log_softmax(0).data<float>();
        Assert.Equal(e.Select(v => MathF.Log(v / e.Sum())).ToArray(), ls, new FloatEq(1e-6f));
        var w = torch.where(T(new float[] { 1, 0, 1 }).gt(0.5), T(new float[] { 1, 2, 3 }), T(new float[] { -1, -2, -3 }));
        Assert.Equal(new float[] { 1, -2, 3 }, w.data<float>());
    }

    [Fact]
    public void Reductions()
    {
        using var scope = torch.NewDisposeScope();
        var a = T(new float[] { 1, 5, 3, 4, 2, 6 }, 2, 3);
        Assert.Equal(21f, a.sum().item<float>());
        Assert.Equal(new float[] { 9, 12 }, a.sum(1).data<float>());
        Assert.Equal(new float[] { 5, 7, 9 }, a.sum(0).data<float>());
        Assert.Equal(new long[] { 2, 1 }, a.sum(1, keepdim: true).shape);
        Assert.Equal(3.5f, a.mean().item<float>());
        Assert.Equal(new float[] { 3, 4 }, a.mean(1).data<float>());
        var (mx, mi) = a.max(1);
        Assert.Equal(new float[] { 5, 6 }, mx.data<float>());
        Assert.Equal(new long[] { 1, 2 }, mi.data<long>());
        var (mn, mni) = a.min(0);
        Assert.Equal(new float[] { 1, 2, 3 }, mn.data<float>());
        Assert.Equal(new long[] { 0, 1, 0 }, mni.data<long>());
        Assert.Equal(6f, a.max().item<float>());
        Assert.Equal(new float[] { 4, 5, 6 }, a.amax(0).data<float>());
        Assert.Equal(5L, a.argmax().item<long>());
        Assert.Equal(new long[] { 1, 2 }, a.argmax(1).data<long>());
        Assert.Equal(720f, a.prod().item<float>());
        Assert.Equal(new float[] { 1, 6, 9, 4, 6, 12 }, a.cumsum(1).data<float>());
        var m = torch.tensor(new[] { true, false, true, true }, new long[] { 2, 2 });
        Assert.False(m.all().item<bool>());
        Assert.True(m.any().item<bool>());
        Assert.Equal(new[] { false, true }, m.all(1).data<bool>());
        Assert.Equal(new[] { true, true }, m.any(1).data<bool>());
    }

    [Fact]
    public void MatmulBmmEinsumCdist()
    {
        using var scope = torch.NewDisposeScope();
        var a = T(new float[] { 1, 2, 3, 4 }, 2, 2);
        var b = T(new float[] { 5, 6, 7, 8 }, 2, 2);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, a.matmul(b).data<float>());
        var ba = torch.stack(new[] { a, b });
        Assert.Equal(new float[] { 7, 10, 15, 22, 67, 78, 91, 106 }, torch.bmm(ba, ba).data<float>());
        Assert.Equal(new float[] { 19, 22, 43, 50 }, torch.einsum("ij,jk->ik", a, b).data<float>());
        Assert.Equal(new float[] { 1, 4 }, torch.einsum("ii->i", a).data<float>());
        var p = T(new float[] { 0, 0, 3, 4 }, 2, 2);
        var q = T(new float[] { 0, 0 }, 1, 2);
        Assert.Equal(new float[] { 0, 5 }, torch.cdist(p, q).data<float>());
        Assert.Equal(new float[] { 0, 7 }, torch.cdist(p, q, 1).data<float>());
    }

    [Fact]
    public void SortingSelectionAndUnique()
    {
        using var scope = torch.NewDisposeScope();
        var x = T(new float[] { 3, 1, 4, 1, 5, 9, 2, 6 });
        var (tv, ti) = x.topk(3);
        Assert.Equal(new float[] { 9, 6, 5 }, tv.data<float>());
        Assert.Equal(new long[] { 5, 7, 4 }, ti.data<long>());
        var (sv, si) = x.sort(stable: true);
        Assert.Equal(new float[] { 1, 1, 2, 3, 4, 5, 6, 9 }, sv.data<float>());
        Assert.Equal(new long[] { 1, 3, 6, 0, 2, 4, 7, 5 }, si.data<long>());
        Assert.Equal(new long[] { 5, 7, 4, 2, 0, 6, 1, 3 }, x.argsort(descending: true, stable: true).data<long>());
        var (u, _, counts) = L(new long[] { 3, 1, 3, 2, 1, 3 }).unique(return_counts: true);
        Assert.Equal(new long[] { 1, 2, 3 }, u.data<long>());
        Assert.Equal(new long[] { 2, 1, 3 }, counts!.data<long>());
        var nz = T(new float[] { 0, 1, 0, 2 }, 2, 2).nonzero();
        Assert.Equal(new long[] { 0, 1, 1, 1 }, nz.data<long>());
        Assert.Equal(new long[] { 2, 2 }, nz.shape);
    }

    [Fact]
    public void GatherScatterIndexSelectMasked()
    {
        using var scope = torch.NewDisposeScope();
        var a = T(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var idx = L(new long[] { 2, 0, 1, 1 }, 2, 2);
        Assert.Equal(new float[] { 3, 1, 5, 5 }, a.gather(1, idx).data<float>());
        var z = torch.zeros(2, 3);
        var sc = z.scatter(1, L(new long[] { 2, 0 }, 2, 1), T(new float[] { 1, 4 }, 2, 1));
        Assert.Equal(new float[] { 0, 0, 1, 4, 0, 0 }, sc.data<float>());
        Assert.Equal(new float[] { 0, 9, 0, 0, 0, 9 }, torch.zeros(2, 3).scatter(1, L(new long[] { 1, 2 }, 2, 1), 9.0).data<float>());
        var sa = torch.zeros(new long[] { 3 }).scatter_add(0, L(new long[] { 0, 2, 0, 2 }), T(new float[] { 1, 2, 3, 4 }));
        Assert.Equal(new float[] { 4, 0, 6 }, sa.data<float>());
        Assert.Equal(new float[] { 3, 1, 6, 4 }, a.index_select(1, L(new long[] { 2, 0 })).data<float>());
        var mask = a.gt(3);
        Assert.Equal(new float[] { 1, 2, 3, -1, -1, -1 }, a.masked_fill(mask, -1).data<float>());
        Assert.Equal(new float[] { 4, 5, 6 }, a.masked_select(mask).data<float>());
        var ip = torch.zeros(3, 3);
        ip.index_put_(new Tensor?[] { L(new long[] { 0, 2 }), L(new long[] { 1, 2 }) }, T(new float[] { 7, 8 }));
        Assert.Equal(new float[] { 0, 7, 0, 0, 0, 0, 0, 0, 8 }, ip.data<float>());
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 1 }, torch.one_hot(L(new long[] { 1, 2 }), 3).to(ScalarType.Float32).data<float>());
        Assert.Equal(new float[] { 1, 4 }, torch.diag(T(new float[] { 1, 2, 3, 4 }, 2, 2)).data<float>());
    }

    [Fact]
    public void IndexingReadAndWrite()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.arange(0, 24).view(2, 3, 4);
        Assert.Equal(new long[] { 12, 13, 14, 15 }, a[1, 0].data<long>());
        Assert.Equal(new long[] { 1, 3, 5, 7, 9, 11 }, a[0, .., TensorIndex.Slice(1, null, 2)].data<long>());
        Assert.Equal(new long[] { 2, 1, 4 }, a[TensorIndex.Slice(0, 2), TensorIndex.None, 2].shape);
        Assert.Equal(new long[] { 3, 7, 11, 15, 19, 23 }, a[TensorIndex.Ellipsis, -1].data<long>());
        var bi = L(new long[] { 0, 1, 1 });
        var si = L(new long[] { 2, 0, 2 });
        Assert.Equal(new long[] { 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23 }, a[bi, si].data<long>());
        var m = torch.zeros(new long[] { 2, 3 }, ScalarType.Bool);
        m[0, 1] = torch.tensor(true);
        m[1, 2] = torch.tensor(true);
        Assert.Equal(new long[] { 2, 4 }, a[m].shape);
        Assert.Equal(new long[] { 4, 5, 6, 7, 20, 21, 22, 23 }, a[m].data<long>());
        var t = torch.zeros(2, 4);
        t[bi.narrow(0, 1, 2), L(new long[] { 0, 3 })] = torch.tensor(new float[] { 5, 6 });
        Assert.Equal(new float[] { 0, 0, 0, 0, 5, 0, 0, 6 }, t.data<float>());
        t[0] = torch.tensor(new float[] { 1, 2, 3, 4 });
        t[.., TensorIndex.Slice(0, 4, 2)] = torch.tensor(-1f);
        Assert.Equal(new float[] { -1, 2, -1, 4, -1, 0, -1, 6 }, t.data<float>());
        Assert.Throws<ArgumentException>(() => a[0, 0, 0, 0]);
    }

    [Fact]
    public void ShapeOps()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.arange(0, 6);
        var v = a.view(2, 3);
        Assert.Equal(new long[] { 3, 2 }, v.t().shape);
        Assert.Equal(new long[] { 0, 3, 1, 4, 2, 5 }, v.t().reshape(6).data<long>());
        Assert.Equal(new long[] { 3, 1, 2 }, v.permute(1, 0).unsqueeze(1).shape);
        Assert.Equal(new long[] { 6 }, v.flatten().shape);
        Assert.Equal(new long[] { 2, 1, 3 }, a.unflatten(0, 2, 1, 3).shape);
        Assert.Equal(new long[] { 2, 3 }, v.unsqueeze(0).squeeze(0).shape);
        Assert.Equal(new long[] { 4, 3 }, v[0].expand(4, 3).shape);
        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5 }, v.repeat(1, 2).data<long>());
        Assert.Equal(new long[] { 1, 2 }, v.narrow(1, 1, 2)[0].data<long>());
        Assert.Equal(new long[] { 0, 2, 4 }, a.slice(0, 0, 6, 2).data<long>());
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5 }, torch.cat(new[] { v, v }, 0).data<long>());
        Assert.Equal(new long[] { 2, 2, 3 }, torch.stack(new[] { v, v }).shape);
        var parts = a.split(4);
        Assert.Equal(2, parts.Length);
        Assert.Equal(new long[] { 4, 5 }, parts[1].data<long>());
        var sized = a.split(new long[] { 1, 5 });
        Assert.Equal(5, sized[1].numel());
        Assert.Equal(3, a.chunk(3).Length);
        Assert.Equal(new long[] { 1, 2 }, a.as_strided(new long[] { 2 }, new long[] { 1 }, 1).data<long>());
    }

    [Fact]
    public void DtypeAndDeviceConversion()
    {
        using var scope = torch.NewDisposeScope();
        var a = T(new float[] { 1.5f, -2.5f });
        Assert.Equal(new long[] { 1, -2 }, a.to(ScalarType.Int64).data<long>());
        Assert.Equal(new double[] { 1.5, -2.5 }, a.to(ScalarType.Float64).data<double>());
        Assert.Equal(ScalarType.Float16, a.half().dtype);
        Assert.Equal(new float[] { 1.5f, -2.5f }, a.bfloat16().@float().data<float>());
        Assert.Equal(DeviceType.CPU, a.cpu().device.type);
        if (!torch.cuda.is_available()) Assert.Throws<TorchException>(() => a.cuda());
    }

    sealed class FloatEq(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => MathF.Abs(x - y) <= tol;
        public int GetHashCode(float obj) => 0;
    }
}
