using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;
using F = DetrSharp.Torch.nn.functional;

namespace DetrSharp.Torch.Tests.Nn;

/// <summary>Autograd through composite layers against central finite differences, in float64.</summary>
[Collection(GlobalGenerator.Collection)]
public class GradCheckTests
{
    /// <summary>Checks d loss / d t for every element of each tensor against (f(t + h) - f(t - h)) / 2h.</summary>
    static void CheckGradients(Func<Tensor> loss, params (string name, Tensor tensor)[] wrt)
    {
        foreach (var (_, t) in wrt) t.grad = null;
        using (var scope = torch.NewDisposeScope())
            loss().backward();
        const double h = 1e-6;
        foreach (var (name, t) in wrt)
        {
            using var g = t.grad ?? throw new Xunit.Sdk.XunitException($"{name} received no gradient");
            var analytic = Values(g);
            var values = Values(t);
            for (int i = 0; i < values.Length; i++)
            {
                double saved = values[i];
                values[i] = saved + h;
                double up = Eval(loss, t, values);
                values[i] = saved - h;
                double down = Eval(loss, t, values);
                values[i] = saved;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                    $"{name}[{i}]: autograd {analytic[i]:R}, finite differences {numeric:R}");
            }
            Set(t, values);
        }
    }

    static double Eval(Func<Tensor> loss, Tensor t, double[] values)
    {
        Set(t, values);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return loss().ToDouble();
    }

    static void Set(Tensor t, double[] values)
    {
        using var _ = torch.no_grad();
        using var src = torch.tensor(values, t.shape);
        t.copy_(src);
    }

    [Fact]
    public void AttentionLayerNormGeluLinearCrossEntropy()
    {
        torch.manual_seed(31);
        using var attn = nn.MultiheadAttention(4, 2, dtype: ScalarType.Float64);
        using var norm = nn.LayerNorm(4, dtype: ScalarType.Float64);
        using var head = nn.Linear(4, 3, dtype: ScalarType.Float64);
        using (torch.no_grad())
        {
            attn.in_proj_bias!.normal_(0, 0.1);
            norm.weight!.normal_(1, 0.1);
            norm.bias!.normal_(0, 0.1);
        }
        using var x = torch.randn(new long[] { 3, 2, 4 }, ScalarType.Float64, requires_grad: true); // [L, N, E]
        using var kpm = B(new[] { false, false, true, false, false, false }, 2, 3);
        using var target = L(new long[] { 0, 2, 1, 1, 0, 2 }, 3, 2);

        Tensor Loss()
        {
            var (a, _) = attn.call(x, x, x, kpm, need_weights: false); // [3, 2, 4]
            var r = a.add(x);
            var n = norm.call(r);
            var g = F.gelu(n, "tanh");
            var logits = head.call(g).permute(1, 2, 0);                  // [N, C, L]
            var loss = F.cross_entropy(logits, target.t(), label_smoothing: 0.1);
            return loss.MoveToOuterDisposeScope();
        }

        CheckGradients(Loss, ("x", x), ("in_proj_weight", attn.in_proj_weight), ("in_proj_bias", attn.in_proj_bias!),
            ("out_proj.weight", attn.out_proj.weight), ("norm.weight", norm.weight!), ("head.bias", head.bias!));
    }

    [Fact]
    public void ConvBatchNormSiluResamplingMse()
    {
        torch.manual_seed(32);
        using var conv = nn.Conv2d(2, 3, 3, padding: 1, dtype: ScalarType.Float64);
        using var bn = nn.BatchNorm2d(3, dtype: ScalarType.Float64);   // training mode: batch statistics
        using var x = torch.randn(new long[] { 2, 2, 4, 4 }, ScalarType.Float64, requires_grad: true);
        using var grid = torch.rand(new long[] { 2, 3, 3, 2 }, ScalarType.Float64).mul(1.6).sub(0.8);
        using var target = torch.randn(new long[] { 2, 3, 3, 3 }, ScalarType.Float64);

        Tensor Loss()
        {
            var c = conv.call(x);                                                     // [2, 3, 4, 4]
            var b = bn.call(c);
            var s = F.silu(b);
            var p = F.adaptive_avg_pool2d(s, new long[] { 3, 3 });                    // [2, 3, 3, 3]
            var u = F.interpolate(p, new long[] { 5, 5 }, mode: InterpolationMode.Bilinear); // [2, 3, 5, 5]
            var g = F.grid_sample(u, grid, align_corners: false);                     // [2, 3, 3, 3]
            var loss = F.smooth_l1_loss(g, target, beta: 0.5).add(F.mse_loss(g, target));
            return loss.MoveToOuterDisposeScope();
        }

        CheckGradients(Loss, ("x", x), ("conv.weight", conv.weight), ("conv.bias", conv.bias!), ("bn.weight", bn.weight!), ("bn.bias", bn.bias!));
    }
}
