using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

public static partial class nn
{
    public static partial class functional
    {
        static readonly Op LayerNormOp = new("aten::layer_norm"), BatchNormOp = new("aten::batch_norm"), GroupNormOp = new("aten::group_norm");

        // Under autocast a convolution or linear layer hands a norm bfloat16/float16 input while its parameters (and
        // running statistics) stay float32; libtorch 1.13's CPU norm kernels take one dtype, and norms belong on
        // autocast's float32 list anyway: such input is normalised in float32 (the result is float32). Null: no cast.
        static Tensor? Float32Input(Tensor input, Tensor? parameter)
            => input.dtype is ScalarType.BFloat16 or ScalarType.Float16 && parameter is { dtype: ScalarType.Float32 } ? input.to(ScalarType.Float32) : null;

        /// <summary>
        /// Normalises over the trailing dims <paramref name="normalized_shape"/>: (x - mean) / sqrt(var + eps) * weight + bias,
        /// with the biased variance.
        /// </summary>
        /// <param name="input">[*, normalized_shape...]</param>
        /// <param name="weight">[normalized_shape...], or null</param>
        /// <param name="bias">[normalized_shape...], or null</param>
        public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
        {
            var s = input.shape;
            if (normalized_shape.Length == 0 || normalized_shape.Length > s.Length || !s[^normalized_shape.Length..].SequenceEqual(normalized_shape))
                throw new ArgumentException($"layer_norm: input shape {Shapes.Format(s)} does not end with normalized_shape {Shapes.Format(normalized_shape)}", nameof(input));
            using var f = Float32Input(input, weight ?? bias);
            return LayerNormOp.Tensor(f ?? input, normalized_shape, weight, bias, eps);
        }

        /// <summary>
        /// Batch normalisation over dim 1 (channels) of [N, C, *] input. In training it normalises with the batch's
        /// statistics and, when running stats are given, updates them in place:
        /// running = (1 - momentum) * running + momentum * batch (the variance unbiased). Otherwise it uses the running stats.
        /// </summary>
        /// <param name="input">[N, C, *]</param>
        /// <param name="running_mean">[C], or null (then training must be true)</param>
        /// <param name="running_var">[C], or null (then training must be true)</param>
        /// <param name="weight">[C], or null</param>
        /// <param name="bias">[C], or null</param>
        public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
            bool training = false, double momentum = 0.1, double eps = 1e-5)
        {
            var s = input.shape;
            if (s.Length < 2) throw new ArgumentException($"batch_norm: input must be [N, C, *], got shape {Shapes.Format(s)}", nameof(input));
            if (!training && (running_mean is null || running_var is null))
                throw new ArgumentException("batch_norm: running_mean and running_var are required when not training");
            if (training)
            {
                long perChannel = s[0];
                for (int d = 2; d < s.Length; d++) perChannel *= s[d];
                if (perChannel == 1)
                    throw new ArgumentException($"batch_norm: expected more than 1 value per channel when training, got input shape {Shapes.Format(s)}", nameof(input));
            }
            using var f = Float32Input(input, weight ?? running_mean ?? bias);
            return BatchNormOp.Tensor(f ?? input, weight, bias, running_mean, running_var, training, momentum, eps, true);
        }

        /// <summary>
        /// Group normalisation: channels split into <paramref name="num_groups"/> groups, each normalised over its channels
        /// and spatial positions (biased variance), then a per-channel affine.
        /// </summary>
        /// <param name="input">[N, C, *] with C divisible by num_groups</param>
        /// <param name="weight">[C], or null</param>
        /// <param name="bias">[C], or null</param>
        public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
        {
            var s = input.shape;
            if (s.Length < 2 || num_groups <= 0 || s[1] % num_groups != 0)
                throw new ArgumentException($"group_norm: input [N, C, *] needs C divisible by num_groups = {num_groups}, got shape {Shapes.Format(s)}", nameof(input));
            using var f = Float32Input(input, weight ?? bias);
            return GroupNormOp.Tensor(f ?? input, num_groups, weight, bias, eps, true);
        }
    }
}
