using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

public static partial class nn
{
    public static partial class functional
    {
        static readonly Op LinearOp = new("aten::linear"), Conv2dOp = new("aten::conv2d");

        /// <summary>x W^T + b.</summary>
        /// <param name="input">[*, in_features]</param>
        /// <param name="weight">[out_features, in_features]</param>
        /// <param name="bias">[out_features], or null</param>
        /// <returns>[*, out_features]</returns>
        public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
        {
            if (weight.dim() != 2 && weight.dim() != 1)
                throw new ArgumentException($"linear: weight must be 2-D [out, in], got shape {Shapes.Format(weight)}", nameof(weight));
            var inFeatures = weight.size(-1);
            if (input.dim() == 0 || input.size(-1) != inFeatures)
                throw new ArgumentException($"linear: input's last dimension must be in_features = {inFeatures}, got shape {Shapes.Format(input)}", nameof(input));
            return LinearOp.Tensor(input, weight, bias);
        }

        /// <summary>2-D convolution (cross-correlation) over [N, C, H, W] or unbatched [C, H, W] input.</summary>
        /// <param name="input">[N, C_in, H, W] or [C_in, H, W]</param>
        /// <param name="weight">[C_out, C_in / groups, kH, kW]</param>
        /// <param name="bias">[C_out], or null</param>
        /// <param name="stride">one value for both dims, or [sH, sW]; null means 1</param>
        /// <param name="padding">zero padding each side: one value or [pH, pW]; null means 0</param>
        /// <param name="dilation">one value or [dH, dW]; null means 1</param>
        /// <param name="groups">number of blocked connections from input to output channels</param>
        /// <returns>[N, C_out, H_out, W_out]</returns>
        public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1)
        {
            if (weight.dim() != 4)
                throw new ArgumentException($"conv2d: weight must be 4-D [out, in / groups, kH, kW], got shape {Shapes.Format(weight)}", nameof(weight));
            if (input.dim() != 4 && input.dim() != 3)
                throw new ArgumentException($"conv2d: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape {Shapes.Format(input)}", nameof(input));
            var channels = input.size(-3);
            if (groups < 1 || channels != weight.size(1) * groups)
                throw new ArgumentException($"conv2d: input has {channels} channels but weight {Shapes.Format(weight)} with groups = {groups} expects {weight.size(1) * groups}", nameof(input));
            return Conv2dOp.Tensor(input, weight, bias, Pair(stride, 1, "stride"), Pair(padding, 0, "padding"), Pair(dilation, 1, "dilation"), groups);
        }

        /// <summary>A 2-element per-dimension argument from null (the default), one value, or two values.</summary>
        internal static long[] Pair(long[]? v, long @default, string name) => v switch
        {
            null => new[] { @default, @default },
            { Length: 1 } => new[] { v[0], v[0] },
            { Length: 2 } => v,
            _ => throw new ArgumentException($"{name} must have 1 or 2 values, got {v.Length}", name),
        };
    }
}
