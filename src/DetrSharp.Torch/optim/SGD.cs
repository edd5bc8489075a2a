using System.Buffers;
using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

public static partial class optim
{
    /// <summary>
    /// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay,
    /// as torch.optim.SGD (PyTorch 1.13's single-tensor update, run for all parameters in one native call):
    /// <code>
    /// d_p = grad (negated when maximize) + weight_decay * p
    /// buf = d_p on the first step, else momentum * buf + (1 - dampening) * d_p     (when momentum != 0)
    /// d_p = d_p + momentum * buf if nesterov else buf
    /// p  -= lr * d_p
    /// </code>
    /// </summary>
    public sealed class SGD : Optimizer
    {
        static readonly string[] Order = ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach", "differentiable"];
        static readonly Dictionary<string, object?> Fixed = new() { ["foreach"] = null, ["differentiable"] = false };

        readonly double _lr, _momentum, _dampening, _weightDecay;
        readonly bool _nesterov, _maximize;
        Tensor[] _withGrad = [];

        /// <summary>One group of parameters with these options.</summary>
        public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0,
            bool nesterov = false, bool maximize = false)
            : this(SingleGroup(parameters), lr, momentum, dampening, weight_decay, nesterov, maximize) { }

        /// <summary>Several groups; options a group leaves unset take these defaults.</summary>
        public SGD(IEnumerable<ParamGroup> param_groups, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0,
            bool nesterov = false, bool maximize = false)
        {
            _lr = lr; _momentum = momentum; _dampening = dampening; _weightDecay = weight_decay; _nesterov = nesterov; _maximize = maximize;
            Validate(lr, momentum, dampening, weight_decay, nesterov);
            AddGroups(param_groups);
        }

        private protected override string[] StateDictOptionOrder => Order;
        private protected override IReadOnlyDictionary<string, object?> FixedOptions => Fixed;

        private protected override void ApplyDefaults(ParamGroup g)
        {
            g.Lr ??= _lr;
            g.Momentum ??= _momentum;
            g.Dampening ??= _dampening;
            g.WeightDecay ??= _weightDecay;
            g.Nesterov ??= _nesterov;
            g.Maximize ??= _maximize;
            Validate(g.lr, g.momentum, g.dampening, g.weight_decay, g.nesterov);
        }

        static void Validate(double lr, double momentum, double dampening, double weightDecay, bool nesterov)
        {
            if (!(lr >= 0)) throw new ArgumentException($"Invalid learning rate: {lr}");
            if (!(momentum >= 0)) throw new ArgumentException($"Invalid momentum value: {momentum}");
            if (!(weightDecay >= 0)) throw new ArgumentException($"Invalid weight_decay value: {weightDecay}");
            if (nesterov && (momentum <= 0 || dampening != 0))
                throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }

        public override unsafe void step()
        {
            ThrowIfDisposed();
            using var _ = torch.no_grad();
            foreach (var g in param_groups)
            {
                if (_withGrad.Length < g.Params.Length) _withGrad = new Tensor[g.Params.Length];
                int n = ParamsWithGrad(g, _withGrad);
                if (n == 0) continue;
                var states = new SgdState[n];
                var handles = ArrayPool<IntPtr>.Shared.Rent(2 * n);
                try
                {
                    for (int i = 0; i < n; i++)
                    {
                        states[i] = GetState(_withGrad[i], static _ => new SgdState());
                        handles[i] = _withGrad[i].Handle;
                        handles[n + i] = states[i].momentum_buffer?.Handle ?? IntPtr.Zero;
                    }
                    int rc;
                    fixed (IntPtr* h = handles)
                        rc = NativeMethods.dsh_optim_sgd_step(h, h + n, n, g.lr, g.momentum, g.dampening, g.weight_decay,
                            g.nesterov ? 1 : 0, g.maximize ? 1 : 0);
                    // Adopt the buffers created on a first step, even when a later parameter failed.
                    for (int i = 0; i < n; i++)
                        if (states[i].momentum_buffer is null && handles[n + i] != IntPtr.Zero)
                            states[i].momentum_buffer = Tensor.Wrap(handles[n + i]).DetachFromDisposeScope();
                    TorchException.Check(rc);
                }
                finally
                {
                    ArrayPool<IntPtr>.Shared.Return(handles);
                    Array.Clear(_withGrad, 0, n);
                }
            }
        }

        private protected override ParamState LoadState(Tensor param, ParamGroup group, IReadOnlyDictionary<string, object?> entry, string where)
        {
            var buffer = entry.TryGetValue("momentum_buffer", out var b) ? StateValue.ToTensorOrNull(b, where + ".momentum_buffer") : null;
            return new SgdState { momentum_buffer = buffer is null ? null : ParamState.LoadLikeParam(param, buffer, where + ".momentum_buffer") };
        }
    }

    /// <summary>SGD's per-parameter state: the momentum buffer (none while momentum is 0).</summary>
    internal sealed class SgdState : ParamState
    {
        public Tensor? momentum_buffer;

        public override Dictionary<string, object?> ToStateDict() => new() { ["momentum_buffer"] = momentum_buffer?.detach() };

        public override void Dispose()
        {
            momentum_buffer?.Dispose();
            momentum_buffer = null;
        }
    }
}
