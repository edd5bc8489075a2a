using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Core;

/// <summary>Autograd against central finite differences (float64), accumulation, no_grad.</summary>
public class AutogradTests
{
    /// <summary>A composite function of DETR's flavour: softmax, log, sigmoid, atan, matmul, clamp, sums.</summary>
    static Tensor F(Tensor x, Tensor w)
    {
        var h = x.matmul(w).sigmoid();
        var p = h.softmax(1);
        var g = (p.log() * h).sum(1).mean();
        var r = x.atan().pow(2).sum() + (x - 0.3).clamp(-0.5, 0.5).abs().sum();
        return g + r * 0.1;
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(3);
        var x = torch.randn(new long[] { 3, 4 }, ScalarType.Float64, generator: gen).requires_grad_();
        var w = torch.randn(new long[] { 4, 5 }, ScalarType.Float64, generator: gen).requires_grad_();
        F(x, w).backward();
        var gx = x.grad!.data<double>();
        var gw = w.grad!.data<double>();
        CheckNumeric(x, w, gx, forX: true);
        CheckNumeric(x, w, gw, forX: false);
    }

    static void CheckNumeric(Tensor x, Tensor w, double[] analytic, bool forX)
    {
        const double h = 1e-6;
        using var _ = torch.no_grad();
        var target = forX ? x : w;
        var baseVals = target.data<double>();
        for (int i = 0; i < baseVals.Length; i++)
        {
            using var s = torch.NewDisposeScope();
            var plus = (double[])baseVals.Clone(); plus[i] += h;
            var minus = (double[])baseVals.Clone(); minus[i] -= h;
            var tp = torch.tensor(plus, target.shape);
            var tm = torch.tensor(minus, target.shape);
            double fp = (forX ? F(tp, w) : F(x, tp)).item<double>();
            double fm = (forX ? F(tm, w) : F(x, tm)).item<double>();
            double numeric = (fp - fm) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) < 1e-6 + 1e-5 * Math.Abs(numeric), $"grad[{i}]: analytic {analytic[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void AccumulatesAcrossBackwardCallsAndSupportsGradArgument()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 1, 2, 3 }).requires_grad_();
        (x * x).sum().backward();
        Assert.Equal(new float[] { 2, 4, 6 }, x.grad!.data<float>());
        (x * 3).sum().backward();
        Assert.Equal(new float[] { 5, 7, 9 }, x.grad!.data<float>());
        x.grad = null;
        Assert.Null(x.grad);
        var y = x * 2;
        y.backward(torch.tensor(new float[] { 1, 0, -1 }));
        Assert.Equal(new float[] { 2, 0, -2 }, x.grad!.data<float>());
        Assert.True(x.is_leaf);
        Assert.False(y.is_leaf);
    }

    [Fact]
    public void NoGradAndDetach()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(new long[] { 2 }, requires_grad: true);
        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            var y = x * 2;
            Assert.False(y.requires_grad);
            using (torch.enable_grad()) Assert.True((x * 2).requires_grad);
        }
        Assert.True(torch.is_grad_enabled());
        Assert.True((x * 2).requires_grad);
        Assert.False((x * 2).detach().requires_grad);
        Assert.Throws<TorchException>(() => (x * 2).backward()); // not a scalar
    }
}
