using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;
using F = DetrSharp.Torch.nn.functional;

namespace DetrSharp.Torch.Tests.Nn;

[Collection(GlobalGenerator.Collection)]
public class EmbeddingTests
{
    [Fact]
    public void FunctionalLooksUpRows()
    {
        using var w = T(new double[] { 0, 0, 1, 2, 3, 4 }, 3, 2);
        using var idx = L(new long[] { 2, 1, 0, 2 }, 2, 2);
        using var e = F.embedding(idx, w);
        Close(new double[] { 3, 4, 1, 2, 0, 0, 3, 4 }, e, 0, new long[] { 2, 2, 2 });
        using var fidx = T(new double[] { 0 });
        Assert.Throws<ArgumentException>(() => F.embedding(fidx, w));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.embedding(idx, w, padding_idx: 3));
    }

    [Fact]
    public void MaxNormRenormalisesLookedUpRowsInPlace()
    {
        using var w = T(new double[] { 3, 4, 0.3, 0.4 }, 2, 2);
        using var idx = L(new long[] { 0, 1 });
        using var e = F.embedding(idx, w, max_norm: 1.0);
        Close(new[] { 0.6, 0.8, 0.3, 0.4 }, e, 1e-6);
        Close(new[] { 0.6, 0.8, 0.3, 0.4 }, w, 1e-6);
    }

    [Fact]
    public void ModuleInitAndPaddingGradient()
    {
        torch.manual_seed(11);
        using var emb = nn.Embedding(50, 8, padding_idx: -1, dtype: ScalarType.Float64);
        Assert.Equal(49L, emb.padding_idx);
        Assert.Equal(new[] { "weight" }, emb.named_parameters().Select(p => p.name));
        Assert.Equal(new long[] { 50, 8 }, emb.weight.shape);
        using (var row = emb.weight.select(0, 49)) Close(new double[8], row, 0);
        // The others are N(0, 1): mean near 0, std near 1 over 392 draws.
        var v = Values(emb.weight).Take(49 * 8).ToArray();
        double mean = v.Average(), std = Math.Sqrt(v.Select(a => (a - mean) * (a - mean)).Average());
        Assert.InRange(mean, -0.2, 0.2);
        Assert.InRange(std, 0.85, 1.15);

        using var idx = L(new long[] { 49, 3, 49, 3, 7 });
        using var y = emb.call(idx);
        Assert.Equal(new long[] { 5, 8 }, y.shape);
        using var loss = y.sum();
        loss.backward();
        using var g = emb.weight.grad!;
        using var g49 = g.select(0, 49);
        Close(new double[8], g49, 0); // padding row: no gradient
        using var g3 = g.select(0, 3);
        Close(Enumerable.Repeat(2.0, 8).ToArray(), g3, 0); // looked up twice
    }
}
