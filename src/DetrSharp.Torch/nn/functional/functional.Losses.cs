using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

public static partial class nn
{
    public static partial class functional
    {
        static readonly Op CrossEntropyOp = new("aten::cross_entropy_loss"), NllLossOp = new("aten::nll_loss_nd"),
            BceWithLogitsOp = new("aten::binary_cross_entropy_with_logits"), L1LossOp = new("aten::l1_loss"),
            MseLossOp = new("aten::mse_loss"), SmoothL1LossOp = new("aten::smooth_l1_loss");

        /// <summary>
        /// Cross entropy of logits against class indices (or class probabilities), as torch.nn.functional.cross_entropy:
        /// -w[y] log softmax(x)[y], with label smoothing mixing in the uniform distribution; the mean divides by the
        /// summed weights of the non-ignored targets.
        /// </summary>
        /// <param name="input">[N, C] or [N, C, d1, ...] logits (class dim 1), or [C]</param>
        /// <param name="target">int64 class indices [N] or [N, d1, ...] (or probabilities shaped like input)</param>
        /// <param name="weight">[C] per-class weights, or null</param>
        /// <param name="ignore_index">a target value that contributes neither loss nor weight</param>
        /// <param name="label_smoothing">in [0, 1]: the target becomes (1 - ε) one_hot + ε / C</param>
        /// <returns>a scalar, or [N, d1, ...] with reduction None</returns>
        public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
            Reduction reduction = Reduction.Mean, double label_smoothing = 0.0)
        {
            if (!(label_smoothing >= 0 && label_smoothing <= 1))
                throw new ArgumentOutOfRangeException(nameof(label_smoothing), label_smoothing, "cross_entropy: label_smoothing must be in [0, 1]");
            CheckClassTarget("cross_entropy", input, target, weight);
            return CrossEntropyOp.Tensor(input, target, weight, (long)reduction, ignore_index, label_smoothing);
        }

        /// <summary>Negative log likelihood of log-probabilities: -w[y] input[y], as torch.nn.functional.nll_loss.</summary>
        /// <param name="input">[N, C] or [N, C, d1, ...] log-probabilities, or [C]</param>
        /// <param name="target">int64 class indices [N] or [N, d1, ...]</param>
        /// <param name="weight">[C] per-class weights, or null</param>
        public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean)
        {
            CheckClassTarget("nll_loss", input, target, weight);
            if (target.is_floating_point())
                throw new ArgumentException($"nll_loss: target must hold class indices (int64), got {target.dtype.Name()}", nameof(target));
            return NllLossOp.Tensor(input, target, weight, (long)reduction, ignore_index);
        }

        static void CheckClassTarget(string op, Tensor input, Tensor target, Tensor? weight)
        {
            var si = input.shape;
            var st = target.shape;
            if (si.Length == 0) throw new ArgumentException($"{op}: input must have a class dim, got a 0-d tensor", nameof(input));
            int classDim = si.Length == 1 ? 0 : 1;
            long classes = si[classDim];
            if (target.is_floating_point())
            {
                if (!si.SequenceEqual(st))
                    throw new ArgumentException($"{op}: probability targets must have the input's shape {Shapes.Format(si)}, got {Shapes.Format(st)}", nameof(target));
            }
            else
            {
                var want = si.Where((_, d) => d != classDim).ToArray();
                if (!want.SequenceEqual(st))
                    throw new ArgumentException($"{op}: class-index targets for input {Shapes.Format(si)} must have shape {Shapes.Format(want)}, got {Shapes.Format(st)}", nameof(target));
            }
            if (weight is not null && (weight.dim() != 1 || weight.size(0) != classes))
                throw new ArgumentException($"{op}: weight must be [C] = [{classes}], got {Shapes.Format(weight)}", nameof(weight));
        }

        /// <summary>
        /// Binary cross entropy of logits, computed stably: -w [p y log σ(x) + (1 - y) log(1 - σ(x))], p the
        /// positive-class weight, as torch.nn.functional.binary_cross_entropy_with_logits.
        /// </summary>
        /// <param name="input">logits, any shape</param>
        /// <param name="target">targets in [0, 1], the input's shape</param>
        /// <param name="weight">weights broadcast to the input's shape, or null</param>
        /// <param name="pos_weight">weights of positive examples broadcast along the last dim ([C]), or null</param>
        public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weight = null)
        {
            if (!input.shape.SequenceEqual(target.shape))
                throw new ArgumentException($"binary_cross_entropy_with_logits: target shape {Shapes.Format(target)} must equal input shape {Shapes.Format(input)}", nameof(target));
            return BceWithLogitsOp.Tensor(input, target, weight, pos_weight, (long)reduction);
        }

        /// <summary>|input - target|, broadcast, reduced.</summary>
        public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
            => Pointwise(L1LossOp, input, target, reduction);

        /// <summary>(input - target)², broadcast, reduced.</summary>
        public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
            => Pointwise(MseLossOp, input, target, reduction);

        /// <summary>
        /// Huber-style loss: 0.5 d² / beta where |d| &lt; beta, else |d| - 0.5 beta (beta = 0 gives the L1 loss),
        /// broadcast, reduced.
        /// </summary>
        public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0)
        {
            if (!(beta >= 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "smooth_l1_loss: beta must be non-negative");
            if (beta == 0) return l1_loss(input, target, reduction);
            return Pointwise(SmoothL1LossOp, input, target, reduction, beta);
        }

        /// <summary>A pointwise loss over input and target broadcast to one shape, as PyTorch's Python wrappers do.</summary>
        static Tensor Pointwise(Op op, Tensor input, Tensor target, Reduction reduction, double? beta = null)
        {
            if (input.shape.SequenceEqual(target.shape))
                return beta is null ? op.Tensor(input, target, (long)reduction) : op.Tensor(input, target, (long)reduction, beta.Value);
            Tensor[] both;
            try { both = torch.broadcast_tensors(input, target); }
            catch (TorchException e)
            {
                throw new ArgumentException($"{op}: target shape {Shapes.Format(target)} does not broadcast with input shape {Shapes.Format(input)}", nameof(target), e);
            }
            using var i = both[0];
            using var t = both[1];
            return beta is null ? op.Tensor(i, t, (long)reduction) : op.Tensor(i, t, (long)reduction, beta.Value);
        }
    }
}
