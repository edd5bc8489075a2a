namespace DetrSharp.Torch;

public static partial class optim
{
    /// <summary>
    /// Adam, as torch.optim.Adam (PyTorch 1.13's single-tensor update, all parameters in one native call),
    /// with weight decay as an L2 term added to the gradient:
    /// <code>
    /// g = grad (negated when maximize) + weight_decay * p;   t += 1
    /// m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g * g
    /// vmax = max(vmax, v) when amsgrad
    /// p -= lr / (1 - beta1^t) * m / (sqrt(v or vmax) / sqrt(1 - beta2^t) + eps)
    /// </code>
    /// </summary>
    public sealed class Adam : Optimizer
    {
        readonly double _lr, _eps, _weightDecay;
        readonly (double, double) _betas;
        readonly bool _amsgrad, _maximize;
        Tensor[] _withGrad = [];

        /// <summary>One group of parameters with these options.</summary>
        public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double beta1, double beta2)? betas = null, double eps = 1e-8,
            double weight_decay = 0, bool amsgrad = false, bool maximize = false)
            : this(SingleGroup(parameters), lr, betas, eps, weight_decay, amsgrad, maximize) { }

        /// <summary>Several groups; options a group leaves unset take these defaults. betas defaults to (0.9, 0.999).</summary>
        public Adam(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, (double beta1, double beta2)? betas = null, double eps = 1e-8,
            double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        {
            _lr = lr; _betas = betas ?? (0.9, 0.999); _eps = eps; _weightDecay = weight_decay; _amsgrad = amsgrad; _maximize = maximize;
            AdamUpdate.Validate(_lr, _betas, _eps, _weightDecay);
            AddGroups(param_groups);
        }

        private protected override string[] StateDictOptionOrder => AdamUpdate.AdamOrder;
        private protected override IReadOnlyDictionary<string, object?> FixedOptions => AdamUpdate.Fixed;

        private protected override void ApplyDefaults(ParamGroup g)
        {
            g.Lr ??= _lr;
            g.Betas ??= _betas;
            g.Eps ??= _eps;
            g.WeightDecay ??= _weightDecay;
            g.Amsgrad ??= _amsgrad;
            g.Maximize ??= _maximize;
            AdamUpdate.Validate(g.lr, g.betas, g.eps, g.weight_decay);
        }

        public override void step() => AdamUpdate.Step(this, decoupled: false, ref _withGrad);

        private protected override ParamState LoadState(Tensor param, ParamGroup group, IReadOnlyDictionary<string, object?> entry, string where)
            => AdamState.Load(param, group.amsgrad, entry, where);
    }
}
