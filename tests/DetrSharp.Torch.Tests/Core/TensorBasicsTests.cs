using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Core;

[Collection(GlobalGenerator.Collection)]
public class TensorBasicsTests
{
    [Fact]
    public void CreationShapesAndDtypes()
    {
        using var z = torch.zeros(new long[] { 2, 3 });
        Assert.Equal(new long[] { 2, 3 }, z.shape);
        Assert.Equal(ScalarType.Float32, z.dtype);
        Assert.Equal(new long[] { 3, 1 }, z.stride());
        Assert.Equal(6, z.numel());
        using var o = torch.ones(new long[] { 4 }, ScalarType.Int64);
        Assert.Equal(new long[] { 1, 1, 1, 1 }, o.data<long>());
        using var f = torch.full(new long[] { 2 }, 7);
        Assert.Equal(ScalarType.Int64, f.dtype);
        using var ff = torch.full(new long[] { 2 }, 2.5);
        Assert.Equal(new[] { 2.5f, 2.5f }, ff.data<float>());
        using var a = torch.arange(0, 5);
        Assert.Equal(ScalarType.Int64, a.dtype);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, a.data<long>());
        using var af = torch.arange(0.0, 1.0, 0.25);
        Assert.Equal(new[] { 0f, 0.25f, 0.5f, 0.75f }, af.data<float>());
        using var l = torch.linspace(0, 1, 5);
        Assert.Equal(new[] { 0f, 0.25f, 0.5f, 0.75f, 1f }, l.data<float>());
        using var e = torch.eye(3);
        Assert.Equal(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, e.data<float>());
        foreach (var dt in new[] { ScalarType.Float32, ScalarType.Float64, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Int64, ScalarType.Int32, ScalarType.Byte, ScalarType.Bool })
        {
            using var t = torch.zeros(new long[] { 3 }, dt);
            Assert.Equal(dt, t.dtype);
            Assert.Equal(dt.ElementSize(), t.element_size());
        }
    }

    [Fact]
    public void RandomOpsAreSeeded()
    {
        torch.manual_seed(1);
        using var a = torch.rand(5);
        torch.manual_seed(1);
        using var b = torch.rand(5);
        Assert.Equal(a.data<float>(), b.data<float>());
        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        using var r1 = torch.randn(new long[] { 4 }, generator: g1);
        using var r2 = torch.randn(new long[] { 4 }, generator: g2);
        Assert.Equal(r1.data<float>(), r2.data<float>());
        using var ri = torch.randint(3, 7, new long[] { 100 }, generator: g1);
        Assert.All(ri.data<long>(), v => Assert.InRange(v, 3, 6));
        using var p = torch.randperm(10, generator: g1);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), p.data<long>().OrderBy(x => x));
        using var state = g1.get_state();
        using var x1 = torch.rand(new long[] { 3 }, generator: g1);
        g1.set_state(state);
        using var x2 = torch.rand(new long[] { 3 }, generator: g1);
        Assert.Equal(x1.data<float>(), x2.data<float>());
    }

    [Fact]
    public void FromArraysAndBack()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        using var t = torch.tensor(data, new long[] { 2, 3 });
        Assert.Equal(data, t.data<float>());
        Assert.Equal(data, t.AsSpan<float>().ToArray());
        using var tt = t.t();
        Assert.False(tt.is_contiguous());
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, tt.data<float>());
        Assert.Throws<ArgumentException>(() => t.data<double>());
        Assert.Throws<ArgumentException>(() => torch.tensor(data, new long[] { 4, 2 }));
        using var d = torch.tensor(new[] { 1.5, 2.5 }, dtype: ScalarType.Float32);
        Assert.Equal(ScalarType.Float32, d.dtype);
        using var s = torch.tensor(3.5);
        Assert.Equal(3.5f, s.item<float>());
        Assert.Empty(s.shape);
        Assert.Contains("3.5", s.ToString());
    }

    [Fact]
    public void ErrorsAreExceptionsNotCrashes()
    {
        using var a = torch.zeros(2, 3);
        using var b = torch.zeros(4, 5);
        var ex = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Contains("shapes cannot be multiplied", ex.Message);
        Assert.Throws<TorchException>(() => a + b);
        Assert.Throws<TorchException>(() => a.view(7));
        var disposed = torch.zeros(2);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.sum());
        Assert.Throws<IndexOutOfRangeException>(() => a[5]);
        Assert.Throws<ArgumentException>(() => torch.zeros(new long[] { -1 }));
        using var idx = torch.tensor(new long[] { 0, 9 });
        Assert.Throws<TorchException>(() => a.index_select(1, idx));
    }
}
