using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Optim.OptimTestSupport;

namespace DetrSharp.Torch.Tests.Optim;

public class SgdTests
{
    /// <summary>SGD by hand, in double: the update rule of torch.optim.SGD.</summary>
    static double[][] HandSgd(double lr, double momentum = 0, double dampening = 0, double wd = 0, bool nesterov = false, bool maximize = false)
    {
        var p = (double[])P0.Clone();
        double[]? buf = null;
        var result = new double[G.Length][];
        for (int s = 0; s < G.Length; s++)
        {
            var d = G[s].Select((g, i) => (maximize ? -g : g) + wd * p[i]).ToArray();
            if (momentum != 0)
            {
                buf = buf is null ? (double[])d.Clone() : buf.Select((b, i) => momentum * b + (1 - dampening) * d[i]).ToArray();
                d = nesterov ? d.Select((x, i) => x + momentum * buf[i]).ToArray() : buf;
            }
            p = p.Select((x, i) => x - lr * d[i]).ToArray();
            result[s] = p;
        }
        return result;
    }

    [Fact]
    public void PlainStepsMatchHandDerivedValues()
    {
        var hand = HandSgd(0.1);
        // step 1: p - 0.1 g = [0.95, -1.9, 0.475]
        Close([0.95, -1.9, 0.475], hand[0], 1e-15);
        Close(hand, Run(ps => new optim.SGD(ps, lr: 0.1), ScalarType.Float64), 1e-12);
        Close([[0.949999988079071, -1.899999976158142, 0.4749999940395355], [0.9399999976158142, -1.9299999475479126, 0.5450000166893005],
               [0.9599999785423279, -1.96999990940094, 0.5400000214576721]], Run(ps => new optim.SGD(ps, lr: 0.1), ScalarType.Float32), 1e-6);
    }

    [Fact]
    public void MomentumWithDampeningMatchesHandDerivedValues()
    {
        var hand = HandSgd(0.1, momentum: 0.9, dampening: 0.1);
        Close([0.8959999999999999, -1.837, 0.5155], hand[1], 1e-15); // PyTorch 1.13, float64
        Close(hand, Run(ps => new optim.SGD(ps, lr: 0.1, momentum: 0.9, dampening: 0.1), ScalarType.Float64), 1e-12);
        Close([0.865399956703186, -1.8163000345230103, 0.5474500060081482],
            Run(ps => new optim.SGD(ps, lr: 0.1, momentum: 0.9, dampening: 0.1), ScalarType.Float32)[2], 1e-6);
    }

    [Fact]
    public void NesterovWithWeightDecayMatchesHandDerivedValues()
    {
        var hand = HandSgd(0.1, momentum: 0.9, wd: 0.01, nesterov: true);
        Close([0.831465558191, -1.798250616382, 0.5902120290955], hand[2], 1e-12); // PyTorch 1.13, float64
        Close(hand, Run(ps => new optim.SGD(ps, lr: 0.1, momentum: 0.9, weight_decay: 0.01, nesterov: true), ScalarType.Float64), 1e-12);
        Close([[0.9031000137329102, -1.8062000274658203, 0.4515500068664551], [0.8410741090774536, -1.7771482467651367, 0.5630370378494263],
               [0.8314655423164368, -1.798250675201416, 0.5902119874954224]],
            Run(ps => new optim.SGD(ps, lr: 0.1, momentum: 0.9, weight_decay: 0.01, nesterov: true), ScalarType.Float32), 1e-6);
    }

    [Fact]
    public void MaximizeAscends()
    {
        var hand = HandSgd(0.1, momentum: 0.5, maximize: true);
        Close([1.0825, -2.0900000000000003, 0.44375000000000003], hand[2], 1e-15); // PyTorch 1.13, float64
        Close(hand, Run(ps => new optim.SGD(ps, lr: 0.1, momentum: 0.5, maximize: true), ScalarType.Float64), 1e-12);
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        using var p = torch.zeros(2).requires_grad_();
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => new optim.SGD([p], lr: 0.1, nesterov: true)).Message);
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => new optim.SGD([p], lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true)).Message);
        Assert.Contains("learning rate", Assert.Throws<ArgumentException>(() => new optim.SGD([p], lr: -1)).Message);
        Assert.Contains("momentum", Assert.Throws<ArgumentException>(() => new optim.SGD([p], lr: 0.1, momentum: -0.5)).Message);
        Assert.Contains("weight_decay", Assert.Throws<ArgumentException>(() => new optim.SGD([p], lr: 0.1, weight_decay: -1)).Message);
        Assert.Contains("empty parameter list", Assert.Throws<ArgumentException>(() => new optim.SGD(Array.Empty<Tensor>(), lr: 0.1)).Message);
    }
}
