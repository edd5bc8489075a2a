using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Nn;

public class SoftplusTests
{
    [Fact]
    public void ValuesAndGradientAreLogOnePlusExpAndSigmoid()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { -3, 0, 2.5f, 25 }, requires_grad: true);
        var y = nn.functional.softplus(x);
        y.sum().backward();
        var v = y.data<float>();
        var g = x.grad!.data<float>();
        double[] xs = { -3, 0, 2.5, 25 };
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Math.Log(1 + Math.Exp(xs[i])), v[i], 5);
            Assert.Equal(1 / (1 + Math.Exp(-xs[i])), g[i], 5);
        }
        Assert.Equal(25f, v[3]);                                   // above the threshold: x itself
        Assert.Equal(1f, g[3]);
    }

    [Fact]
    public void BetaScalesTheInputAndZeroIsRefused()
    {
        using var scope = torch.NewDisposeScope();
        var y = nn.functional.softplus(torch.tensor(new float[] { 1 }), beta: 2).data<float>();
        Assert.Equal(Math.Log(1 + Math.Exp(2)) / 2, y[0], 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => nn.functional.softplus(torch.zeros(1), beta: 0));
    }
}
