using DetrSharp.TestSupport;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;
using F = DetrSharp.Torch.nn.functional;

namespace DetrSharp.Torch.Tests.Nn;

[Collection(GlobalGenerator.Collection)]
public class MultiheadAttentionTests
{
    static readonly double Ln3 = Math.Log(3);

    [Fact]
    public void ParameterNamesShapesAndInit()
    {
        torch.manual_seed(0);
        using var mha = nn.MultiheadAttention(8, 2);
        Assert.Equal(new[] { "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias" }, mha.named_parameters().Select(p => p.name));
        var sd = mha.state_dict();
        Assert.Equal(new[] { "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias" }, sd.Keys);
        foreach (var t in sd.Values) t.Dispose();
        Assert.Equal(new long[] { 24, 8 }, mha.in_proj_weight.shape);
        Assert.Equal(new long[] { 24 }, mha.in_proj_bias!.shape);
        Assert.Equal(new long[] { 8, 8 }, mha.out_proj.weight.shape);
        Assert.IsType<Linear>(mha.get_submodule("out_proj"));
        // xavier_uniform_ over fan_in 8, fan_out 24; zero biases; out_proj.weight keeps Linear's init (±1/√8).
        double a = Math.Sqrt(6.0 / 32);
        Assert.All(Values(mha.in_proj_weight), v => Assert.InRange(v, -a, a));
        Assert.True(Values(mha.in_proj_weight).Max() > 0.9 * a);
        Assert.All(Values(mha.in_proj_bias), v => Assert.Equal(0, v));
        Assert.All(Values(mha.out_proj.bias!), v => Assert.Equal(0, v));
        Assert.All(Values(mha.out_proj.weight), v => Assert.InRange(v, -1 / Math.Sqrt(8), 1 / Math.Sqrt(8)));
        Assert.Equal(4, mha.head_dim);

        using var noBias = nn.MultiheadAttention(4, 1, bias: false);
        Assert.Equal(new[] { "in_proj_weight", "out_proj.weight" }, noBias.named_parameters().Select(p => p.name));
        Assert.Throws<ArgumentException>(() => nn.MultiheadAttention(6, 4));
    }

    [Fact]
    public void InitDrawsInPyTorchOrder()
    {
        // out_proj (a Linear) draws first: its weight, then its bias (zeroed afterwards); then xavier_uniform_ on in_proj_weight.
        const long E = 4;
        torch.manual_seed(5);
        using var mha = nn.MultiheadAttention(E, 2);
        torch.manual_seed(5);
        using var u = torch.rand(E * E + E + 3 * E * E);
        double linearBound = 1 / Math.Sqrt(E), xavierBound = Math.Sqrt(6.0 / (E + 3 * E));
        using var outW = u.narrow(0, 0, E * E).mul(2 * linearBound).sub(linearBound);
        using var inW = u.narrow(0, E * E + E, 3 * E * E).mul(2 * xavierBound).sub(xavierBound);
        using var gotOut = mha.out_proj.weight.flatten();
        using var gotIn = mha.in_proj_weight.flatten();
        Close(outW, gotOut, 1e-6);
        Close(inW, gotIn, 1e-6);
    }

    /// <summary>E = 2, two heads of one dim; the projections are identities, so each head attends on one coordinate.</summary>
    static MultiheadAttention IdentityAttention()
    {
        var mha = nn.MultiheadAttention(2, 2, dtype: ScalarType.Float64);
        using (torch.no_grad())
        {
            using var eye = torch.eye(2, dtype: ScalarType.Float64);
            using var stacked = torch.cat(new[] { eye, eye, eye });
            mha.in_proj_weight.copy_(stacked);
            mha.out_proj.weight.copy_(eye);
        }
        return mha;
    }

    // L = 1, S = 2, N = 1. Head 0 scores q·k = [0, ln 3] → [1/4, 3/4]; head 1 [ln 3, 0] → [3/4, 1/4].
    static Tensor Query() => T(new double[] { 1, 1 }, 1, 1, 2);
    static Tensor Key() => T(new[] { 0, Ln3, Ln3, 0 }, 2, 1, 2);
    static Tensor Value() => T(new double[] { 10, 20, 30, 60 }, 2, 1, 2);

    [Fact]
    public void HandComputedAttention()
    {
        using var mha = IdentityAttention();
        using var q = Query();
        using var k = Key();
        using var v = Value();
        var (o, w) = mha.call(q, k, v);
        using (o)
        using (w)
        {
            Close(new double[] { 25, 30 }, o, 1e-12, new long[] { 1, 1, 2 });   // 10/4 + 30·3/4, 20·3/4 + 60/4
            Close(new[] { 0.5, 0.5 }, w!, 1e-12, new long[] { 1, 1, 2 });       // heads averaged
        }
        var (o2, perHead) = mha.call(q, k, v, average_attn_weights: false);
        using (o2)
        using (perHead)
            Close(new[] { 0.25, 0.75, 0.75, 0.25 }, perHead!, 1e-12, new long[] { 1, 2, 1, 2 });
        var (o3, none) = mha.call(q, k, v, need_weights: false);
        using (o3)
        {
            Assert.Null(none);
            Close(new double[] { 25, 30 }, o3, 1e-12);
        }
    }

    [Fact]
    public void Masks()
    {
        using var mha = IdentityAttention();
        using var q = Query();
        using var k = Key();
        using var v = Value();

        // key_padding_mask: true ignores key 1.
        using (var kpm = B(new[] { false, true }, 1, 2))
        {
            var (o, w) = mha.call(q, k, v, key_padding_mask: kpm);
            Close(new double[] { 10, 20 }, o, 1e-12);
            Close(new double[] { 1, 0 }, w!, 1e-12);
            o.Dispose(); w!.Dispose();
        }
        // Bool attn_mask [L, S]: true forbids key 0.
        using (var am = B(new[] { true, false }, 1, 2))
        {
            var (o, w) = mha.call(q, k, v, attn_mask: am);
            Close(new double[] { 30, 60 }, o, 1e-12);
            Close(new double[] { 0, 1 }, w!, 1e-12);
            o.Dispose(); w!.Dispose();
        }
        // Float attn_mask is added: head 0 [ln 3, ln 3] → [1/2, 1/2]; head 1 [2 ln 3, 0] → [9/10, 1/10].
        using (var am = T(new[] { Ln3, 0 }, 1, 2))
        {
            var (o, w) = mha.call(q, k, v, attn_mask: am);
            Close(new double[] { 20, 0.9 * 20 + 0.1 * 60 }, o, 1e-12);
            Close(new[] { 0.7, 0.3 }, w!, 1e-12);
            o.Dispose(); w!.Dispose();
            // Combined with a padding mask forbidding key 0.
            using var kpm = B(new[] { true, false }, 1, 2);
            var (o2, w2) = mha.call(q, k, v, kpm, attn_mask: am);
            Close(new double[] { 30, 60 }, o2, 1e-12);
            o2.Dispose(); w2!.Dispose();
        }
        // 3-D attn_mask [N * heads, L, S]: head 0 may only see key 0, head 1 only key 1.
        using (var am = B(new[] { false, true, true, false }, 2, 1, 2))
        {
            var (o, w) = mha.call(q, k, v, attn_mask: am, average_attn_weights: false);
            Close(new double[] { 10, 60 }, o, 1e-12);
            Close(new double[] { 1, 0, 0, 1 }, w!, 1e-12);
            o.Dispose(); w!.Dispose();
        }
        using var badMask = B(new[] { true, false, true }, 1, 3);
        Assert.Throws<ArgumentException>(() => mha.call(q, k, v, attn_mask: badMask));
        Assert.Throws<ArgumentException>(() => mha.call(q, k, v, key_padding_mask: badMask));
        using var wrongE = torch.zeros(new long[] { 1, 1, 3 }, ScalarType.Float64);
        Assert.Throws<ArgumentException>(() => mha.call(wrongE, k, v));
    }

    /// <summary>Attention written out per batch element and head with plain tensor ops.</summary>
    static (Tensor output, Tensor weights) Manual(MultiheadAttention mha, Tensor query, Tensor key, Tensor value, Tensor kpm, Tensor attnMask3d)
    {
        long L = query.size(0), N = query.size(1), E = query.size(2), S = key.size(0), H = mha.num_heads, D = E / H;
        var w = mha.in_proj_weight;
        var b = mha.in_proj_bias!;
        var outs = new List<Tensor>();
        var weights = new List<Tensor>();
        for (long n = 0; n < N; n++)
        {
            var qn = F.linear(query.select(1, n), w.narrow(0, 0, E), b.narrow(0, 0, E));         // [L, E]
            var kn = F.linear(key.select(1, n), w.narrow(0, E, E), b.narrow(0, E, E));           // [S, E]
            var vn = F.linear(value.select(1, n), w.narrow(0, 2 * E, E), b.narrow(0, 2 * E, E)); // [S, E]
            var heads = new List<Tensor>();
            Tensor? pSum = null;
            for (long h = 0; h < H; h++)
            {
                var scores = qn.narrow(1, h * D, D).matmul(kn.narrow(1, h * D, D).t()).div(Math.Sqrt(D)); // [L, S]
                var forbidden = attnMask3d.select(0, n * H + h).logical_or(kpm.select(0, n).unsqueeze(0).expand(L, S));
                var p = scores.masked_fill(forbidden, double.NegativeInfinity).softmax(-1);
                heads.Add(p.matmul(vn.narrow(1, h * D, D)));                                      // [L, D]
                pSum = pSum is null ? p : pSum.add(p);
            }
            outs.Add(F.linear(torch.cat(heads.ToArray(), 1), mha.out_proj.weight, mha.out_proj.bias)); // [L, E]
            weights.Add(pSum!.div(H));
        }
        return (torch.stack(outs.ToArray(), 1), torch.stack(weights.ToArray(), 0));
    }

    [Fact]
    public void MatchesManualComputationWithMasks()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(21);
        using var mha = nn.MultiheadAttention(6, 3, dtype: ScalarType.Float64);
        using (torch.no_grad())
        {
            mha.in_proj_bias!.normal_();
            mha.out_proj.bias!.normal_();
        }
        long L = 3, S = 5, N = 2, H = 3;
        var q = torch.randn(new long[] { L, N, 6 }, ScalarType.Float64);
        var k = torch.randn(new long[] { S, N, 6 }, ScalarType.Float64);
        var v = torch.randn(new long[] { S, N, 6 }, ScalarType.Float64);
        // Batch 1 pads its last two keys; the attention mask forbids a few (query, key) pairs per head.
        var kpm = B(new[] { false, false, false, false, false, false, false, false, true, true }, N, S);
        var rand = new Random(5);
        var am = B(Enumerable.Range(0, (int)(N * H * L * S)).Select(i => i % S != 0 && rand.NextDouble() < 0.3).ToArray(), N * H, L, S);

        var (o, w) = mha.call(q, k, v, kpm, attn_mask: am);
        var (mo, mw) = Manual(mha, q, k, v, kpm, am);
        Close(mo, o, 1e-12);
        Close(mw, w!, 1e-12);
        Assert.Equal(new long[] { L, N, 6 }, o.shape);
        Assert.Equal(new long[] { N, L, S }, w!.shape);

        // A 2-D mask is the same for every batch element and head.
        var am2 = B(new[] { false, true, false, false, false, false, false, true, true, false, false, false, false, false, true }, L, S);
        var (o2, w2) = mha.call(q, k, v, kpm, attn_mask: am2);
        var (mo2, mw2) = Manual(mha, q, k, v, kpm, am2.unsqueeze(0).expand(N * H, L, S));
        Close(mo2, o2, 1e-12);
        Close(mw2, w2!, 1e-12);

        // Float masks: -inf where the bool masks are true.
        var amf = torch.zeros(new long[] { N * H, L, S }, ScalarType.Float64).masked_fill(am, double.NegativeInfinity);
        var kpmf = torch.zeros(new long[] { N, S }, ScalarType.Float64).masked_fill(kpm, double.NegativeInfinity);
        var (o3, _) = mha.call(q, k, v, kpmf, attn_mask: amf);
        Close(o, o3, 1e-12);
    }

    [Fact]
    public void SharedInputsLayoutsAndUnbatched()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(8);
        using var mha = nn.MultiheadAttention(4, 2, dtype: ScalarType.Float64);
        using (torch.no_grad()) mha.in_proj_bias!.normal_();
        var x = torch.randn(new long[] { 3, 2, 4 }, ScalarType.Float64);
        var m = torch.randn(new long[] { 5, 2, 4 }, ScalarType.Float64);
        // Self-attention (one tensor) and encoder-decoder (key is value) take the fused projections.
        var (self, _) = mha.call(x, x, x);
        var (selfRef, _) = mha.call(x, x.clone(), x.clone());
        Close(selfRef, self, 1e-12);
        var (cross, _) = mha.call(x, m, m);
        var (crossRef, _) = mha.call(x, m.clone(), m.clone());
        Close(crossRef, cross, 1e-12);
        // DETR's decoder pattern: query is key, value differs.
        var (qk, _) = mha.call(x, x, x.mul(2.0));
        var (qkRef, _) = mha.call(x, x.clone(), x.mul(2.0));
        Close(qkRef, qk, 1e-12);

        // batch_first: [N, L, E] in and out, same weights.
        using var bf = nn.MultiheadAttention(4, 2, batch_first: true, dtype: ScalarType.Float64);
        var sd = mha.state_dict();
        bf.load_state_dict(sd);
        var (ob, wb) = bf.call(x.transpose(0, 1), m.transpose(0, 1), m.transpose(0, 1));
        var (os, ws) = mha.call(x, m, m);
        Close(os.transpose(0, 1), ob, 1e-12);
        Close(ws!, wb!, 1e-12);

        // Unbatched [L, E]: the batch-of-one result without its batch dim.
        var x0 = x.select(1, 0);
        var m0 = m.select(1, 0);
        var (ou, wu) = mha.call(x0, m0, m0);
        var (o1, w1) = mha.call(x0.unsqueeze(1), m0.unsqueeze(1), m0.unsqueeze(1));
        Close(o1.squeeze(1), ou, 1e-12);
        Close(w1!.squeeze(0), wu!, 1e-12);
        Assert.Equal(new long[] { 3, 5 }, wu!.shape);
    }

    [Fact]
    public void DropoutOnlyInTraining()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(13);
        using var mha = nn.MultiheadAttention(4, 2, dropout: 0.5, dtype: ScalarType.Float64);
        using var plain = nn.MultiheadAttention(4, 2, dtype: ScalarType.Float64);
        plain.load_state_dict(mha.state_dict());
        var x = torch.randn(new long[] { 6, 2, 4 }, ScalarType.Float64);
        var (reference, _) = plain.call(x, x, x);
        var (train1, w1) = mha.call(x, x, x);
        Assert.False(torch.allclose(reference, train1));
        // Dropped weights are zero or scaled by 2: some rows no longer sum to 1.
        Assert.Contains(Values(w1!.sum(-1)), s => Math.Abs(s - 1) > 1e-6);
        mha.eval();
        var (evalOut, _) = mha.call(x, x, x);
        Close(reference, evalOut, 1e-12);
    }
}
