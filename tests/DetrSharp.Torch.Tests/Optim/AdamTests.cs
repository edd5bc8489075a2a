using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Optim.OptimTestSupport;

namespace DetrSharp.Torch.Tests.Optim;

public class AdamTests
{
    /// <summary>Adam / AdamW by hand, in double: the update rules of torch.optim.Adam and AdamW (PyTorch 1.13).</summary>
    static double[][] HandAdam(double lr, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double wd = 0, bool decoupled = false,
        bool amsgrad = false, bool maximize = false)
    {
        int n = P0.Length;
        var p = (double[])P0.Clone();
        var m = new double[n];
        var v = new double[n];
        var vmax = new double[n];
        var result = new double[G.Length][];
        for (int s = 0; s < G.Length; s++)
        {
            int t = s + 1;
            for (int i = 0; i < n; i++)
            {
                double g = maximize ? -G[s][i] : G[s][i];
                if (decoupled) p[i] *= 1 - lr * wd;
                else g += wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                vmax[i] = Math.Max(vmax[i], v[i]);
                double denom = Math.Sqrt(amsgrad ? vmax[i] : v[i]) / Math.Sqrt(1 - Math.Pow(b2, t)) + eps;
                p[i] -= lr / (1 - Math.Pow(b1, t)) * m[i] / denom;
            }
            result[s] = (double[])p.Clone();
        }
        return result;
    }

    [Fact]
    public void AdamMatchesHandDerivedAndPyTorchValues()
    {
        var hand = HandAdam(0.01);
        // First step of Adam moves every coordinate by lr * sign(g) (up to eps): 1 - 0.01, -2 + 0.01, 0.5 - 0.01.
        Close([0.99, -1.99, 0.49], hand[0], 1e-8);
        Close(hand, Run(ps => new optim.Adam(ps, lr: 0.01), ScalarType.Float64), 1e-12);
        Close([[0.9900000002, -1.9900000001, 0.49000000039999997], [0.9819695906384652, -1.9857215142429225, 0.4947555949628739],
               [0.9785260531835489, -1.9849209238476584, 0.4979944039739908]], Run(ps => new optim.Adam(ps, lr: 0.01), ScalarType.Float64), 1e-12);
        Close([[0.9900000095367432, -1.9900000095367432, 0.49000000953674316], [0.9819695949554443, -1.985721468925476, 0.4947555959224701],
               [0.9785260558128357, -1.984920859336853, 0.49799439311027527]], Run(ps => new optim.Adam(ps, lr: 0.01), ScalarType.Float32), 1e-6);
    }

    [Fact]
    public void AdamWithL2WeightDecayAndAmsgradMatchesPyTorch()
    {
        optim.Optimizer Make(Tensor[] ps) => new optim.Adam(ps, lr: 0.01, betas: (0.8, 0.99), eps: 1e-6, weight_decay: 0.1, amsgrad: true);
        var expected = new[]
        {
            new[] { 0.9900000166666388, -1.9900000083333265, 0.49000003333322223 },
            new[] { 0.981543827430887, -1.9843899750123903, 0.4944976063730163 },
            new[] { 0.9766297081645985, -1.981553201992895, 0.49674909946123935 },
        };
        Close(expected, HandAdam(0.01, 0.8, 0.99, 1e-6, 0.1, amsgrad: true), 1e-12);
        Close(expected, Run(Make, ScalarType.Float64), 1e-12);
        Close([0.9766297340393066, -1.9815531969070435, 0.4967491030693054], Run(Make, ScalarType.Float32)[2], 1e-6);
    }

    [Fact]
    public void AdamWDecouplesWeightDecay()
    {
        var hand = HandAdam(0.01, wd: 0.01, decoupled: true);
        // Step 1: p * (1 - 0.01 * 0.01) then the Adam step of ±0.01.
        Close([1.0 * 0.9999 - 0.01, -2.0 * 0.9999 + 0.01, 0.5 * 0.9999 - 0.01], hand[0], 1e-8);
        Close(hand, Run(ps => new optim.AdamW(ps, lr: 0.01), ScalarType.Float64), 1e-12);
        Close([[0.9899000002, -1.9898000001, 0.4899500004], [0.9817706006384452, -1.9853225342429126, 0.4946565999628339],
               [0.978228886123465, -1.984323411594224, 0.49784594331395454]], Run(ps => new optim.AdamW(ps, lr: 0.01), ScalarType.Float64), 1e-12);
        Close([[0.9898999929428101, -1.989799976348877, 0.4899500012397766], [0.9817705750465393, -1.9853224754333496, 0.49465659260749817],
               [0.9782288670539856, -1.984323263168335, 0.49784591794013977]], Run(ps => new optim.AdamW(ps, lr: 0.01), ScalarType.Float32), 1e-6);
    }

    [Fact]
    public void AdamWAmsgradMaximizeMatchesPyTorch()
    {
        optim.Optimizer Make(Tensor[] ps) => new optim.AdamW(ps, lr: 0.05, weight_decay: 0.5, amsgrad: true, maximize: true);
        var expected = new[]
        {
            new[] { 1.024999999, -1.9999999995, 0.537499998 },
            new[] { 1.039527046832674, -1.9713924287978868, 0.5002845252356303 },
            new[] { 1.0307565579364386, -1.9261105700542607, 0.47158336704915516 },
        };
        Close(expected, HandAdam(0.05, wd: 0.5, decoupled: true, amsgrad: true, maximize: true), 1e-12);
        Close(expected, Run(Make, ScalarType.Float64), 1e-12);
        Close([1.0307565927505493, -1.9261106252670288, 0.47158339619636536], Run(Make, ScalarType.Float32)[2], 1e-6);
    }

    [Fact]
    public void ParametersWithoutGradientAreSkipped()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new[] { 1.0f, 2.0f }).requires_grad_();
        var b = torch.tensor(new[] { 3.0f }).requires_grad_();
        using var opt = new optim.AdamW([a, b], lr: 0.1);
        a.grad = torch.ones(2);
        opt.step();
        Assert.Equal(new[] { 3.0 }, Values(b));
        Assert.NotEqual(new[] { 1.0, 2.0 }, Values(a));
        var sd = opt.state_dict();
        var state = (Dictionary<long, object?>)sd["state"]!;
        Assert.Equal(new[] { 0L }, state.Keys);

        // b's first step is its step 1 (own bias correction), while a is at step 2.
        b.grad = torch.ones(1);
        a.grad = null;
        opt.step();
        Close([3.0 * (1 - 0.1 * 0.01) - 0.1], Values(b), 1e-6);
        state = (Dictionary<long, object?>)opt.state_dict()["state"]!;
        Assert.Equal(1.0, ((Tensor)((Dictionary<string, object?>)state[0]!)["step"]!).item<double>());
        Assert.Equal(1.0, ((Tensor)((Dictionary<string, object?>)state[1]!)["step"]!).item<double>());
    }

    [Fact]
    public void ZeroGradClearsOrZeroes()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.ones(2).requires_grad_();
        using var opt = new optim.Adam([a]);
        a.grad = torch.ones(2);
        opt.zero_grad(set_to_none: false);
        Assert.Equal(new[] { 0.0, 0.0 }, Values(a.grad!));
        opt.zero_grad();
        Assert.Null(a.grad);

        // A gradient with history (create_graph) is replaced by plain zeros.
        (a * a).sum().backward(create_graph: true);
        opt.zero_grad(set_to_none: false);
        using var g = a.grad!;
        Assert.True(g.is_leaf);
        Assert.Equal(new[] { 0.0, 0.0 }, Values(g));
    }

    [Fact]
    public void ADisposedOptimizerRefusesToStep()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.ones(2).requires_grad_();
        var opt = new optim.AdamW([a]);
        a.grad = torch.ones(2);
        opt.step();
        opt.Dispose();
        Assert.Throws<ObjectDisposedException>(() => opt.step());
        Assert.Throws<ObjectDisposedException>(() => opt.state_dict());
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        using var p = torch.zeros(2).requires_grad_();
        Assert.Contains("beta parameter at index 0", Assert.Throws<ArgumentException>(() => new optim.Adam([p], betas: (1.0, 0.999))).Message);
        Assert.Contains("beta parameter at index 1", Assert.Throws<ArgumentException>(() => new optim.AdamW([p], betas: (0.9, -0.1))).Message);
        Assert.Contains("epsilon", Assert.Throws<ArgumentException>(() => new optim.AdamW([p], eps: -1)).Message);
        Assert.Contains("weight_decay", Assert.Throws<ArgumentException>(() => new optim.Adam([p], weight_decay: -1)).Message);
        using var y = p.mul(2);
        Assert.Contains("non-leaf", Assert.Throws<ArgumentException>(() => new optim.Adam([y])).Message);
    }
}
