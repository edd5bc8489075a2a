using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;
using F = DetrSharp.Torch.nn.functional;

namespace DetrSharp.Torch.Tests.Nn;

public class LossTests
{
    static readonly double Ln2 = Math.Log(2), Ln3 = Math.Log(3), Ln5 = Math.Log(5);

    // Row 0: uniform logits (p = 1/3 each). Row 1: logits ln 1, ln 2, ln 5 (p = 1/8, 2/8, 5/8).
    static Tensor Logits() => T(new[] { 0, 0, 0, 0, Ln2, Ln5 }, 2, 3);

    [Fact]
    public void CrossEntropyReductions()
    {
        using var x = Logits();
        using var y = L(new long[] { 1, 2 });
        double l0 = Ln3, l1 = Math.Log(8.0 / 5);
        using var mean = F.cross_entropy(x, y);
        Close((l0 + l1) / 2, mean, 1e-12);
        Assert.Empty(mean.shape);
        using var sum = F.cross_entropy(x, y, reduction: nn.Reduction.Sum);
        Close(l0 + l1, sum, 1e-12);
        using var none = F.cross_entropy(x, y, reduction: nn.Reduction.None);
        Close(new[] { l0, l1 }, none, 1e-12, new long[] { 2 });
        Assert.Equal(nn.Reduction.Sum, nn.ParseReduction("sum"));
        Assert.Throws<ArgumentException>(() => nn.ParseReduction("avg"));
    }

    [Fact]
    public void CrossEntropyWeightsAndIgnoreIndex()
    {
        using var x = Logits();
        using var y = L(new long[] { 1, 2 });
        using var w = T(new double[] { 1, 2, 3 });
        double l0 = Ln3, l1 = Math.Log(8.0 / 5);
        // Weighted mean divides by the targets' summed weights.
        using var wm = F.cross_entropy(x, y, w);
        Close((2 * l0 + 3 * l1) / 5, wm, 1e-12);
        using var ws = F.cross_entropy(x, y, w, reduction: nn.Reduction.Sum);
        Close(2 * l0 + 3 * l1, ws, 1e-12);
        // Ignored targets count neither in the loss nor in the mean's denominator.
        using var yi = L(new long[] { 1, -100 });
        using var im = F.cross_entropy(x, yi);
        Close(l0, im, 1e-12);
        using var ig = F.cross_entropy(x, y, ignore_index: 2, reduction: nn.Reduction.None);
        Close(new[] { l0, 0 }, ig, 1e-12);
    }

    [Fact]
    public void CrossEntropyLabelSmoothing()
    {
        using var x = Logits();
        using var y = L(new long[] { 1, 2 });
        const double eps = 0.3;
        // (1 - ε) (-log p_y) + ε / C Σ_c (-log p_c).
        double r0 = Ln3; // uniform: every term is ln 3
        double r1 = (1 - eps) * Math.Log(8.0 / 5) + eps / 3 * (Math.Log(8) + Math.Log(4) + Math.Log(8.0 / 5));
        using var none = F.cross_entropy(x, y, reduction: nn.Reduction.None, label_smoothing: eps);
        Close(new[] { r0, r1 }, none, 1e-12);
        using var mean = F.cross_entropy(x, y, label_smoothing: eps);
        Close((r0 + r1) / 2, mean, 1e-12);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.cross_entropy(x, y, label_smoothing: 1.5));
    }

    [Fact]
    public void CrossEntropySpatialAndProbabilityTargets()
    {
        // [N=1, C=3, d=2]: position 0 uniform (target 0), position 1 logits ln 1, ln 2, ln 5 (target 1).
        using var x = T(new[] { 0, 0, 0, Ln2, 0, Ln5 }, 1, 3, 2);
        using var y = L(new long[] { 0, 1 }, 1, 2);
        using var none = F.cross_entropy(x, y, reduction: nn.Reduction.None);
        Close(new[] { Ln3, Math.Log(4) }, none, 1e-12, new long[] { 1, 2 });
        using var mean = F.cross_entropy(x, y);
        Close((Ln3 + Math.Log(4)) / 2, mean, 1e-12);
        // Class probabilities as targets: -Σ q_c log p_c.
        using var logits = Logits();
        using var q = T(new[] { 0.5, 0.5, 0, 0, 0.5, 0.5 }, 2, 3);
        using var soft = F.cross_entropy(logits, q, reduction: nn.Reduction.None);
        Close(new[] { Ln3, 0.5 * Math.Log(4) + 0.5 * Math.Log(8.0 / 5) }, soft, 1e-12);
        // Shape errors name the shapes.
        using var bad = L(new long[] { 0, 1, 2 });
        var e = Assert.Throws<ArgumentException>(() => F.cross_entropy(logits, bad));
        Assert.Contains("[2]", e.Message);
        using var badW = T(new double[] { 1, 2 });
        using var good = L(new long[] { 0, 1 });
        Assert.Throws<ArgumentException>(() => F.cross_entropy(logits, good, badW));
    }

    [Fact]
    public void NllLoss()
    {
        using var logp = T(new[] { -1, -2, -3, -0.5, -1.5, -2.5 }, 2, 3);
        using var y = L(new long[] { 2, 0 });
        using var mean = F.nll_loss(logp, y);
        Close(1.75, mean, 1e-12);
        using var w = T(new double[] { 1, 1, 4 });
        using var wm = F.nll_loss(logp, y, w);
        Close((4 * 3 + 0.5) / 5, wm, 1e-12);
        using var ig = F.nll_loss(logp, y, ignore_index: 0, reduction: nn.Reduction.Sum);
        Close(3, ig, 1e-12);
        // Same as cross entropy on log_softmax.
        using var logits = Logits();
        using var ls = F.log_softmax(logits, 1);
        using var t = L(new long[] { 1, 2 });
        using var a = F.nll_loss(ls, t);
        using var b = F.cross_entropy(logits, t);
        Close(b, a, 1e-12);
        using var ft = T(new double[] { 1, 2 });
        Assert.Throws<ArgumentException>(() => F.nll_loss(logp, ft));
    }

    [Fact]
    public void BinaryCrossEntropyWithLogits()
    {
        // σ(0) = 1/2 with target 1: ln 2; σ(ln 3) = 3/4 with target 0: -ln(1/4) = ln 4.
        using var x = T(new[] { 0, Ln3 });
        using var y = T(new double[] { 1, 0 });
        using var mean = F.binary_cross_entropy_with_logits(x, y);
        Close(1.5 * Ln2, mean, 1e-12);
        using var none = F.binary_cross_entropy_with_logits(x, y, reduction: nn.Reduction.None);
        Close(new[] { Ln2, 2 * Ln2 }, none, 1e-12);
        using var w = T(new[] { 0.5, 1 });
        using var ws = F.binary_cross_entropy_with_logits(x, y, w, nn.Reduction.Sum);
        Close(0.5 * Ln2 + 2 * Ln2, ws, 1e-12);
        // pos_weight scales only the positive term.
        using var pw = T(new double[] { 2, 5 });
        using var p = F.binary_cross_entropy_with_logits(x, y, reduction: nn.Reduction.None, pos_weight: pw);
        Close(new[] { 2 * Ln2, 2 * Ln2 }, p, 1e-12);
        // Soft targets: y = 0.25 at logit ln 3: -(0.25 ln 0.75 + 0.75 ln 0.25).
        using var xs = T(new[] { Ln3 });
        using var ys = T(new[] { 0.25 });
        using var s = F.binary_cross_entropy_with_logits(xs, ys);
        Close(-(0.25 * Math.Log(0.75) + 0.75 * Math.Log(0.25)), s, 1e-12);
        // Stable for large logits.
        using var big = T(new double[] { 1000, -1000 });
        using var bigY = T(new double[] { 0, 1 });
        using var b = F.binary_cross_entropy_with_logits(big, bigY, reduction: nn.Reduction.None);
        Close(new double[] { 1000, 1000 }, b, 1e-9);
        using var badY = T(new double[] { 1, 0, 1 });
        Assert.Throws<ArgumentException>(() => F.binary_cross_entropy_with_logits(x, badY));
    }

    [Fact]
    public void RegressionLosses()
    {
        using var x = T(new double[] { 1, 2, 3 });
        using var y = T(new double[] { 2, 2, 5 }); // differences 1, 0, 2
        using (var l1 = F.l1_loss(x, y)) Close(1, l1, 1e-12);
        using (var l1s = F.l1_loss(x, y, nn.Reduction.Sum)) Close(3, l1s, 1e-12);
        using (var l1n = F.l1_loss(x, y, nn.Reduction.None)) Close(new double[] { 1, 0, 2 }, l1n, 1e-12);
        using (var mse = F.mse_loss(x, y)) Close(5.0 / 3, mse, 1e-12);
        using (var mses = F.mse_loss(x, y, nn.Reduction.Sum)) Close(5, mses, 1e-12);
        // beta 1: 0.5 d² below 1, |d| - 0.5 above.
        using (var s1 = F.smooth_l1_loss(x, y, nn.Reduction.None)) Close(new[] { 0.5, 0, 1.5 }, s1, 1e-12);
        // beta 2: 0.5 d² / 2 below 2, |d| - 1 from 2 up.
        using (var s2 = F.smooth_l1_loss(x, y, nn.Reduction.None, beta: 2)) Close(new[] { 0.25, 0, 1 }, s2, 1e-12);
        using (var s2m = F.smooth_l1_loss(x, y, beta: 2)) Close(1.25 / 3, s2m, 1e-12);
        // beta 0 is the L1 loss.
        using (var s0 = F.smooth_l1_loss(x, y, nn.Reduction.None, beta: 0)) Close(new double[] { 1, 0, 2 }, s0, 1e-12);
        // Broadcasting as PyTorch: [2, 3] against [3].
        using var x2 = T(new double[] { 1, 2, 3, 3, 2, 1 }, 2, 3);
        using (var b = F.l1_loss(x2, y, nn.Reduction.None)) Close(new double[] { 1, 0, 2, 1, 0, 4 }, b, 1e-12, new long[] { 2, 3 });
        using var bad = T(new double[] { 1, 2 });
        Assert.Throws<ArgumentException>(() => F.mse_loss(x, bad));
    }
}
