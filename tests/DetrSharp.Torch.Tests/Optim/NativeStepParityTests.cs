using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Optim;

/// <summary>
/// The native whole-list steps against PyTorch 1.13's single-tensor formulas written op by op with this library's
/// in-place tensor ops (the managed loop the native step replaced): identical values, bit for bit, on parameters of
/// several shapes (a non-contiguous one among them) over several steps.
/// </summary>
public class NativeStepParityTests
{
    static readonly long[][] Shapes = [[7, 5], [5], [3, 4, 2, 2], [1], [33], [300, 257]]; // the last above the native scratch-buffer threshold

    static Tensor[] MakeParams(int seed, ScalarType dtype)
    {
        using var g = new Generator(seed);
        var ps = Shapes.Select(s => torch.randn(s, dtype, generator: g).DetachFromDisposeScope()).ToArray();
        // One parameter stored transposed (non-contiguous), as a view of its own storage.
        var t = torch.randn(new long[] { 5, 7 }, dtype, generator: g);
        ps[0].Dispose();
        ps[0] = t.t().DetachFromDisposeScope();
        t.Dispose();
        foreach (var p in ps) p.requires_grad_();
        return ps;
    }

    static void SetGrads(Tensor[] ps, Generator g, int step)
    {
        for (int i = 0; i < ps.Length; i++)
        {
            if ((i + step) % 4 == 3) { ps[i].grad = null; continue; } // some steps leave a parameter without gradient
            using var grad = torch.randn(ps[i].shape, ps[i].dtype, generator: g);
            ps[i].grad = grad;
        }
    }

    /// <summary>_single_tensor_adam / _single_tensor_adamw, op by op.</summary>
    sealed class ManagedAdam(Tensor[] ps, double lr, double b1, double b2, double eps, double wd, bool amsgrad, bool maximize, bool decoupled)
    {
        readonly Dictionary<Tensor, (long step, Tensor m, Tensor v, Tensor vmax)> _state = new(ReferenceEqualityComparer.Instance);

        public void Step()
        {
            using var _ = torch.no_grad();
            foreach (var p in ps)
            {
                using var scope = torch.NewDisposeScope();
                var g0 = p.grad;
                if (g0 is null) continue;
                if (!_state.TryGetValue(p, out var s))
                    s = (0, torch.zeros_like(p).DetachFromDisposeScope(), torch.zeros_like(p).DetachFromDisposeScope(), torch.zeros_like(p).DetachFromDisposeScope());
                s.step++;
                _state[p] = s;
                var grad = maximize ? g0.neg() : g0;
                if (decoupled) p.mul_(1 - lr * wd);
                else if (wd != 0) grad = grad.add(p, wd);
                s.m.mul_(b1).add_(grad, 1 - b1);
                s.v.mul_(b2).addcmul_(grad, grad, 1 - b2);
                double bc1 = 1 - Math.Pow(b1, s.step), bc2 = 1 - Math.Pow(b2, s.step);
                double stepSize = lr / bc1, bc2Sqrt = Math.Sqrt(bc2);
                Tensor denom;
                if (amsgrad)
                {
                    s.vmax.copy_(torch.maximum(s.vmax, s.v));
                    denom = (s.vmax.sqrt() / bc2Sqrt).add_(eps);
                }
                else denom = (s.v.sqrt() / bc2Sqrt).add_(eps);
                p.addcdiv_(s.m, denom, -stepSize);
            }
        }
    }

    /// <summary>_single_tensor_sgd, op by op.</summary>
    sealed class ManagedSgd(Tensor[] ps, double lr, double momentum, double dampening, double wd, bool nesterov, bool maximize)
    {
        readonly Dictionary<Tensor, Tensor> _buffers = new(ReferenceEqualityComparer.Instance);

        public void Step()
        {
            using var _ = torch.no_grad();
            foreach (var p in ps)
            {
                using var scope = torch.NewDisposeScope();
                var g = p.grad;
                if (g is null) continue;
                var d = maximize ? g.neg() : g;
                if (wd != 0) d = d.add(p, wd);
                if (momentum != 0)
                {
                    if (!_buffers.TryGetValue(p, out var buf)) _buffers[p] = buf = d.clone().detach().DetachFromDisposeScope();
                    else buf.mul_(momentum).add_(d, 1 - dampening);
                    d = nesterov ? d.add(buf, momentum) : buf;
                }
                p.add_(d, -lr);
            }
        }
    }

    static void Compare(Func<Tensor[], optim.Optimizer> native, Func<Tensor[], Action> managed, ScalarType dtype)
    {
        var a = MakeParams(11, dtype);
        var b = MakeParams(11, dtype);
        try
        {
            using var opt = native(a);
            var step = managed(b);
            using var ga = new Generator(5);
            using var gb = new Generator(5);
            for (int s = 0; s < 6; s++)
            {
                SetGrads(a, ga, s);
                SetGrads(b, gb, s);
                opt.step();
                step();
                for (int i = 0; i < a.Length; i++)
                    Assert.Equal(OptimTestSupport.Values(b[i]), OptimTestSupport.Values(a[i]));
            }
        }
        finally
        {
            foreach (var p in a.Concat(b)) p.Dispose();
        }
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, true, false)]
    [InlineData(true, false, true)]
    public void AdamWEqualsTheOpByOpFormula(bool amsgrad, bool maximize, bool float64)
        => Compare(ps => new optim.AdamW(ps, lr: 0.01, betas: (0.8, 0.95), eps: 1e-7, weight_decay: 0.05, amsgrad: amsgrad, maximize: maximize),
            ps => new ManagedAdam(ps, 0.01, 0.8, 0.95, 1e-7, 0.05, amsgrad, maximize, decoupled: true).Step,
            float64 ? ScalarType.Float64 : ScalarType.Float32);

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(true, 0.1)]
    public void AdamEqualsTheOpByOpFormula(bool amsgrad, double weightDecay)
        => Compare(ps => new optim.Adam(ps, lr: 0.003, weight_decay: weightDecay, amsgrad: amsgrad),
            ps => new ManagedAdam(ps, 0.003, 0.9, 0.999, 1e-8, weightDecay, amsgrad, maximize: false, decoupled: false).Step,
            ScalarType.Float32);

    [Theory]
    [InlineData(0.0, 0.0, 0.0, false, false)]
    [InlineData(0.9, 0.1, 1e-4, false, true)]
    [InlineData(0.9, 0.0, 1e-2, true, false)]
    public void SgdEqualsTheOpByOpFormula(double momentum, double dampening, double wd, bool nesterov, bool maximize)
        => Compare(ps => new optim.SGD(ps, lr: 0.05, momentum: momentum, dampening: dampening, weight_decay: wd, nesterov: nesterov, maximize: maximize),
            ps => new ManagedSgd(ps, 0.05, momentum, dampening, wd, nesterov, maximize).Step,
            ScalarType.Float32);
}
