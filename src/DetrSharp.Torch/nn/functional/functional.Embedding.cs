using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

public static partial class nn
{
    public static partial class functional
    {
        static readonly Op EmbeddingOp = new("aten::embedding"), EmbeddingRenormIOp = new("aten::embedding_renorm_");

        /// <summary>Rows of <paramref name="weight"/> picked by index, as torch.nn.functional.embedding.</summary>
        /// <param name="input">int64 indices, any shape [*]</param>
        /// <param name="weight">[num_embeddings, embedding_dim]</param>
        /// <param name="padding_idx">a row whose gradient stays zero (negative counts from the end), or null</param>
        /// <param name="max_norm">when given, looked-up rows with a larger norm are rescaled in place (in weight) to this norm</param>
        /// <param name="norm_type">the p of the p-norm for max_norm</param>
        /// <param name="scale_grad_by_freq">scale gradients by the inverse frequency of the indices in the batch</param>
        /// <returns>[*, embedding_dim]</returns>
        public static Tensor embedding(Tensor input, Tensor weight, long? padding_idx = null, double? max_norm = null, double norm_type = 2.0,
            bool scale_grad_by_freq = false, bool sparse = false)
        {
            if (weight.dim() != 2)
                throw new ArgumentException($"embedding: weight must be [num_embeddings, embedding_dim], got {Shapes.Format(weight)}", nameof(weight));
            if (input.is_floating_point())
                throw new ArgumentException($"embedding: indices must be integers, got {input.dtype.Name()}", nameof(input));
            long n = weight.size(0);
            long pad = -1;
            if (padding_idx is long p)
            {
                if (p >= n || p < -n) throw new ArgumentOutOfRangeException(nameof(padding_idx), p, $"embedding: padding_idx must be within num_embeddings = {n}");
                pad = p < 0 ? p + n : p;
            }
            if (max_norm is double mn)
            {
                using var _ = torch.no_grad();
                using var flat = input.contiguous();
                EmbeddingRenormIOp.InPlace(weight, flat, mn, norm_type);
            }
            return EmbeddingOp.Tensor(weight, input, pad, scale_grad_by_freq, sparse);
        }
    }
}
