using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Optim.OptimTestSupport;

namespace DetrSharp.Torch.Tests.Optim;

/// <summary>
/// clip_grad_norm_ on known gradients: g1 = [3, 4] (2-norm 5), g2 = [[1, 2], [2, -4]] (2-norm 5) and a parameter
/// without gradient; reference values from PyTorch 1.13.1.
/// </summary>
public class ClipGradTests
{
    sealed class Grads : IDisposable
    {
        public readonly Tensor P1 = torch.zeros(2).requires_grad_(), P2 = torch.zeros(2, 2).requires_grad_(), P3 = torch.zeros(3).requires_grad_();

        public Grads()
        {
            using var g1 = torch.tensor(new[] { 3.0f, 4.0f });
            using var g2 = torch.tensor(new[] { 1.0f, 2.0f, 2.0f, -4.0f }, new long[] { 2, 2 });
            P1.grad = g1;
            P2.grad = g2;
        }

        public Tensor[] All => [P1, P2, P3];
        public double[] G1 { get { using var g = P1.grad!; return Values(g); } }
        public double[] G2 { get { using var g = P2.grad!; return Values(g); } }
        public void Dispose() { P1.Dispose(); P2.Dispose(); P3.Dispose(); }
    }

    [Fact]
    public void TwoNormScalesEveryGradientByTheSameFactor()
    {
        using var g = new Grads();
        double total = nn.utils.clip_grad_norm_(g.All, 1.0);
        Assert.Equal(Math.Sqrt(50), total, 1e-6);
        // by hand: coef = 1 / (sqrt(50) + 1e-6); PyTorch: [0.42426401376724243, 0.5656853318214417]
        double coef = 1 / (Math.Sqrt(50) + 1e-6);
        Close([3 * coef, 4 * coef], g.G1, 1e-6);
        Close([1 * coef, 2 * coef, 2 * coef, -4 * coef], g.G2, 1e-6);
        Close([0.42426401376724243, 0.5656853318214417], g.G1, 1e-7);
        Close([0.1414213329553604, 0.2828426659107208, 0.2828426659107208, -0.5656853318214417], g.G2, 1e-7);
        Assert.Null(g.P3.grad);
    }

    [Fact]
    public void InfinityNormUsesTheLargestMagnitude()
    {
        using var g = new Grads();
        Assert.Equal(4.0, nn.utils.clip_grad_norm_(g.All, 2.0, double.PositiveInfinity));
        Close([1.4999996423721313, 1.9999995231628418], g.G1, 1e-7);
        Close([0.49999988079071045, 0.9999997615814209, 0.9999997615814209, -1.9999995231628418], g.G2, 1e-7);
    }

    [Fact]
    public void GradientsBelowTheMaximumAreUnchanged()
    {
        using var g = new Grads();
        Assert.Equal(16.0, nn.utils.clip_grad_norm_(g.All, 100.0, norm_type: 1));
        Assert.Equal(new[] { 3.0, 4.0 }, g.G1);
        Assert.Equal(new[] { 1.0, 2.0, 2.0, -4.0 }, g.G2);
    }

    [Fact]
    public void OtherNormOrders()
    {
        using var g = new Grads();
        Assert.Equal(5.56129789352417, nn.utils.clip_grad_norm_(g.All, 0.5, norm_type: 3), 1e-6);
        Close([0.2697211802005768, 0.35962823033332825], g.G1, 1e-7);
    }

    [Fact]
    public void NonFiniteNormsRaiseWhenAskedAndChangeNothing()
    {
        using var g = new Grads();
        using (var z = torch.zeros(3)) g.P3.grad = z;
        using (var nan = torch.tensor(new[] { float.NaN, 4.0f })) g.P1.grad = nan;
        var ex = Assert.Throws<InvalidOperationException>(() => nn.utils.clip_grad_norm_(g.All, 1.0, error_if_nonfinite: true));
        Assert.Contains("non-finite", ex.Message);
        Assert.Equal(new[] { 1.0, 2.0, 2.0, -4.0 }, g.G2);
        Assert.True(double.IsNaN(nn.utils.clip_grad_norm_(g.All, 1.0)));
    }

    [Fact]
    public void NoGradientsGiveZero()
    {
        using var p = torch.zeros(2).requires_grad_();
        Assert.Equal(0.0, nn.utils.clip_grad_norm_([p], 1.0));
    }

    [Fact]
    public void ClipGradValueClampsEachElement()
    {
        using var g = new Grads();
        nn.utils.clip_grad_value_(g.All, 2.5);
        Assert.Equal(new[] { 2.5, 2.5 }, g.G1);
        Assert.Equal(new[] { 1.0, 2.0, 2.0, -2.5 }, g.G2);
    }
}
