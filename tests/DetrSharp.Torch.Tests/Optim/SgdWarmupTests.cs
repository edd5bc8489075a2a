using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Optim.OptimTestSupport;

namespace DetrSharp.Torch.Tests.Optim;

/// <summary>
/// SGD as ultralytics' warm-up drives it: Nesterov momentum with L2 decay added to the gradient (torch.optim.SGD), the
/// group's lr and momentum changed between steps. Each step uses the values its group holds then.
/// </summary>
public class SgdWarmupTests
{
    static readonly double[] Lrs = [0.001, 0.002, 0.003];
    static readonly double[] Momenta = [0.8, 0.8685, 0.937];
    const double Decay = 5e-4;

    static double[][] Hand()
    {
        var p = (double[])P0.Clone();
        double[]? buf = null;
        var result = new double[G.Length][];
        for (int s = 0; s < G.Length; s++)
        {
            double m = Momenta[s];
            var d = G[s].Select((g, i) => g + Decay * p[i]).ToArray();
            buf = buf is null ? (double[])d.Clone() : buf.Select((b, i) => m * b + d[i]).ToArray();
            var nesterov = d.Select((x, i) => x + m * buf[i]).ToArray();
            p = p.Select((x, i) => x - Lrs[s] * nesterov[i]).ToArray();
            result[s] = p;
        }
        return result;
    }

    [Fact]
    public void LrAndMomentumSetBetweenStepsApplyToTheNextStep()
    {
        var hand = Hand();
        // step 1: d = g + 5e-4 p = [0.5005, -1.001, 0.25025]; buf = d; p -= 0.001 × (d + 0.8 d)
        Close([1 - 0.001 * 1.8 * 0.5005, -2 + 0.001 * 1.8 * 1.001, 0.5 - 0.001 * 1.8 * 0.25025], hand[0], 1e-15);
        using var scope = torch.NewDisposeScope();
        var p = torch.tensor(P0, dtype: ScalarType.Float64).requires_grad_();
        using var sgd = new optim.SGD([p], lr: 0.01, momentum: 0.9, weight_decay: Decay, nesterov: true);
        for (int s = 0; s < G.Length; s++)
        {
            sgd.param_groups[0].lr = Lrs[s];
            sgd.param_groups[0].momentum = Momenta[s];
            p.grad = torch.tensor(G[s], dtype: ScalarType.Float64);
            sgd.step();
            Close(hand[s], Values(p), 1e-12, $"step {s + 1}:");
        }
    }
}
