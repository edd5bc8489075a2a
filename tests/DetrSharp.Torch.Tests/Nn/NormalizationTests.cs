using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;
using F = DetrSharp.Torch.nn.functional;

namespace DetrSharp.Torch.Tests.Nn;

public class NormalizationTests
{
    const double Eps = 1e-5;

    [Fact]
    public void LayerNormFunctional()
    {
        // Row [1, 2, 3, 4]: mean 2.5, biased var 1.25; row [2, 2, 2, 6]: mean 3, var 3.
        using var x = T(new double[] { 1, 2, 3, 4, 2, 2, 2, 6 }, 2, 4);
        using var w = T(new double[] { 1, 2, 1, 2 });
        using var b = T(new double[] { 0, 0, 1, 1 });
        using var y = F.layer_norm(x, new long[] { 4 }, w, b);
        double s0 = Math.Sqrt(1.25 + Eps), s1 = Math.Sqrt(3 + Eps);
        Close(new[]
        {
            -1.5 / s0, 2 * -0.5 / s0, 0.5 / s0 + 1, 2 * 1.5 / s0 + 1,
            -1 / s1, 2 * -1 / s1, -1 / s1 + 1, 2 * 3 / s1 + 1,
        }, y, 1e-12, new long[] { 2, 4 });
        // Over both dims: mean 2.75 of all eight values.
        using var all = F.layer_norm(x, new long[] { 2, 4 });
        Assert.Equal(0, Values(all).Sum(), 10);
        Assert.Throws<ArgumentException>(() => F.layer_norm(x, new long[] { 3 }));
    }

    [Fact]
    public void BatchNormTrainingUpdatesRunningStats()
    {
        // [N=2, C=2, 1, 1]: channel 0 holds 1, 3 (mean 2, biased var 1, unbiased 2);
        // channel 1 holds 2, 6 (mean 4, biased var 4, unbiased 8).
        using var x = T(new double[] { 1, 2, 3, 6 }, 2, 2, 1, 1);
        using var rm = T(new double[] { 0, 0 });
        using var rv = T(new double[] { 1, 1 });
        using var y = F.batch_norm(x, rm, rv, training: true, momentum: 0.1);
        double s0 = Math.Sqrt(1 + Eps), s1 = Math.Sqrt(4 + Eps);
        Close(new[] { -1 / s0, -2 / s1, 1 / s0, 2 / s1 }, y, 1e-12);
        // running = 0.9 running + 0.1 batch (unbiased variance).
        Close(new[] { 0.2, 0.4 }, rm, 1e-12);
        Close(new[] { 0.9 + 0.2, 0.9 + 0.8 }, rv, 1e-12);
        // Without running stats, training still normalises.
        using var y2 = F.batch_norm(x, null, null, training: true);
        Close(y, y2, 1e-12);
        // One value per channel cannot be normalised in training.
        using var single = T(new double[] { 1, 2 }, 1, 2, 1, 1);
        Assert.Throws<ArgumentException>(() => F.batch_norm(single, rm, rv, training: true));
        Assert.Throws<ArgumentException>(() => F.batch_norm(x, null, null, training: false));
    }

    [Fact]
    public void BatchNormEvalUsesRunningStats()
    {
        using var x = T(new double[] { 3, 8 }, 1, 2, 1, 1);
        using var rm = T(new double[] { 1, 2 });
        using var rv = T(new double[] { 4, 9 });
        using var w = T(new double[] { 2, 1 });
        using var b = T(new double[] { 0, 1 });
        using var y = F.batch_norm(x, rm, rv, w, b, training: false);
        Close(new[] { 2 * 2 / Math.Sqrt(4 + Eps), 6 / Math.Sqrt(9 + Eps) + 1 }, y, 1e-12);
        Close(new double[] { 1, 2 }, rm, 0); // unchanged
        Close(new double[] { 4, 9 }, rv, 0);
    }

    [Fact]
    public void GroupNormFunctional()
    {
        // [1, 4, 1, 2], two groups: channels 0-1 hold 1, 2, 3, 4 (mean 2.5, var 1.25);
        // channels 2-3 hold 10, 10, 20, 20 (mean 15, var 25).
        using var x = T(new double[] { 1, 2, 3, 4, 10, 10, 20, 20 }, 1, 4, 1, 2);
        using var w = T(new double[] { 1, 1, 2, 2 });
        using var b = T(new double[] { 0, 0, 0, 1 });
        using var y = F.group_norm(x, 2, w, b);
        double s0 = Math.Sqrt(1.25 + Eps), s1 = Math.Sqrt(25 + Eps);
        Close(new[] { -1.5 / s0, -0.5 / s0, 0.5 / s0, 1.5 / s0, 2 * -5 / s1, 2 * -5 / s1, 2 * 5 / s1 + 1, 2 * 5 / s1 + 1 }, y, 1e-12, new long[] { 1, 4, 1, 2 });
        Assert.Throws<ArgumentException>(() => F.group_norm(x, 3));
    }

    [Fact]
    public void BatchNorm2dModuleTrainAndEval()
    {
        using var bn = nn.BatchNorm2d(2, dtype: ScalarType.Float64);
        Assert.Equal(new[] { "weight", "bias" }, bn.named_parameters().Select(p => p.name));
        Assert.Equal(new[] { "running_mean", "running_var", "num_batches_tracked" }, bn.named_buffers().Select(p => p.name));
        var sd = bn.state_dict();
        Assert.Equal(new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" }, sd.Keys);
        foreach (var t in sd.Values) t.Dispose();
        Assert.Equal(ScalarType.Int64, bn.num_batches_tracked!.dtype);
        Assert.Empty(bn.num_batches_tracked.shape);
        Close(new double[] { 1, 1 }, bn.weight!);
        Close(new double[] { 0, 0 }, bn.bias!);

        using var x = T(new double[] { 1, 2, 3, 6 }, 2, 2, 1, 1);
        using (var y = bn.call(x))
            Close(new[] { -1 / Math.Sqrt(1 + Eps), -2 / Math.Sqrt(4 + Eps), 1 / Math.Sqrt(1 + Eps), 2 / Math.Sqrt(4 + Eps) }, y, 1e-12);
        Close(new[] { 0.2, 0.4 }, bn.running_mean!, 1e-12);
        Close(new[] { 1.1, 1.7 }, bn.running_var!, 1e-12);
        Assert.Equal(1L, bn.num_batches_tracked.item<long>());

        bn.eval();
        using (var ye = bn.call(x))
            Close(new[] { 0.8 / Math.Sqrt(1.1 + Eps), 1.6 / Math.Sqrt(1.7 + Eps), 2.8 / Math.Sqrt(1.1 + Eps), 5.6 / Math.Sqrt(1.7 + Eps) }, ye, 1e-12);
        Close(new[] { 0.2, 0.4 }, bn.running_mean!, 1e-12); // eval leaves the stats alone
        Assert.Equal(1L, bn.num_batches_tracked.item<long>());

        using var bad = torch.zeros(new long[] { 2, 3, 1, 1 }, ScalarType.Float64);
        bn.train();
        Assert.Throws<ArgumentException>(() => bn.call(bad));
        using var threeD = torch.zeros(new long[] { 2, 2, 4 }, ScalarType.Float64);
        Assert.Throws<ArgumentException>(() => bn.call(threeD));
    }

    [Fact]
    public void BatchNorm2dCumulativeAverageAndNoTracking()
    {
        using var bn = nn.BatchNorm2d(1, momentum: null, dtype: ScalarType.Float64);
        using var a = T(new double[] { 1, 3 }, 2, 1, 1, 1);   // mean 2, unbiased var 2
        using var b = T(new double[] { 10, 20 }, 2, 1, 1, 1); // mean 15, unbiased var 50
        using (bn.call(a)) { }
        using (bn.call(b)) { }
        // momentum null: the plain average of the batches' statistics.
        Close(new[] { 8.5 }, bn.running_mean!, 1e-12);
        Close(new[] { 26.0 }, bn.running_var!, 1e-12);
        Assert.Equal(2L, bn.num_batches_tracked!.item<long>());

        using var plain = nn.BatchNorm2d(1, affine: false, track_running_stats: false, dtype: ScalarType.Float64);
        Assert.Empty(plain.parameters());
        Assert.Empty(plain.buffers());
        plain.eval();
        using var y = plain.call(a); // no running stats: batch statistics even in eval
        Close(new[] { -1 / Math.Sqrt(1 + Eps), 1 / Math.Sqrt(1 + Eps) }, y, 1e-12);
    }

    [Fact]
    public void FrozenBatchNorm2d()
    {
        using var fbn = nn.FrozenBatchNorm2d(2, dtype: ScalarType.Float64);
        Assert.Empty(fbn.parameters());
        Assert.Equal(new[] { "weight", "bias", "running_mean", "running_var" }, fbn.named_buffers().Select(b => b.name));
        using (torch.no_grad())
        {
            using var w = T(new double[] { 2, 1 });
            using var b = T(new double[] { 0, 1 });
            using var rm = T(new double[] { 1, 2 });
            using var rv = T(new double[] { 4, 9 });
            fbn.weight.copy_(w);
            fbn.bias.copy_(b);
            fbn.running_mean.copy_(rm);
            fbn.running_var.copy_(rv);
        }
        // scale = w / √(rv + eps), shift = b - rm * scale; the same in train and eval.
        using var x = T(new double[] { 3, 8, 1, 2 }, 2, 2, 1, 1);
        double s0 = 2 / Math.Sqrt(4 + Eps), s1 = 1 / Math.Sqrt(9 + Eps);
        var expected = new[] { 3 * s0 - s0, 8 * s1 + 1 - 2 * s1, 1 * s0 - s0, 2 * s1 + 1 - 2 * s1 };
        using (var y = fbn.call(x)) Close(expected, y, 1e-12);
        fbn.eval();
        using (var y = fbn.call(x)) Close(expected, y, 1e-12);
    }

    [Fact]
    public void LayerNormAndGroupNormModules()
    {
        using var ln = nn.LayerNorm(4);
        Assert.Equal(new[] { "weight", "bias" }, ln.named_parameters().Select(p => p.name));
        Close(new double[] { 1, 1, 1, 1 }, ln.weight!);
        Close(new double[] { 0, 0, 0, 0 }, ln.bias!);
        using var x = torch.randn(3, 4);
        using var y = ln.call(x);
        using var fy = F.layer_norm(x, new long[] { 4 });
        Close(fy, y, 1e-6);
        using var noAffine = nn.LayerNorm(new long[] { 3, 4 }, elementwise_affine: false);
        Assert.Empty(noAffine.parameters());

        using var gn = nn.GroupNorm(2, 4);
        Assert.Equal(new long[] { 4 }, gn.weight!.shape);
        using var xg = torch.randn(2, 4, 3, 3);
        using var yg = gn.call(xg);
        using var fg = F.group_norm(xg, 2);
        Close(fg, yg, 1e-6);
        Assert.Throws<ArgumentException>(() => nn.GroupNorm(3, 4));
    }
}
