namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>A lookup table of embedding vectors, as torch.nn.Embedding.</summary>
        public static Modules.Embedding Embedding(long num_embeddings, long embedding_dim, long? padding_idx = null, double? max_norm = null,
            double norm_type = 2.0, bool scale_grad_by_freq = false, bool sparse = false, Device? device = null, ScalarType? dtype = null)
            => new(num_embeddings, embedding_dim, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, device, dtype);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// A lookup table, as torch.nn.Embedding: parameter "weight" [num_embeddings, embedding_dim] drawn from N(0, 1), with
    /// the padding_idx row (if any) zeroed and kept out of the gradient.
    /// </summary>
    public sealed class Embedding : nn.Module<Tensor, Tensor>
    {
        public Embedding(long num_embeddings, long embedding_dim, long? padding_idx = null, double? max_norm = null, double norm_type = 2.0,
            bool scale_grad_by_freq = false, bool sparse = false, Device? device = null, ScalarType? dtype = null) : base(nameof(Embedding))
        {
            if (num_embeddings <= 0 || embedding_dim <= 0)
                throw new ArgumentException($"Embedding: sizes must be positive, got {num_embeddings} × {embedding_dim}");
            if (padding_idx is long p)
            {
                if (p >= num_embeddings || p < -num_embeddings)
                    throw new ArgumentOutOfRangeException(nameof(padding_idx), p, $"Embedding: padding_idx must be within num_embeddings = {num_embeddings}");
                padding_idx = p < 0 ? p + num_embeddings : p;
            }
            this.num_embeddings = num_embeddings;
            this.embedding_dim = embedding_dim;
            this.padding_idx = padding_idx;
            this.max_norm = max_norm;
            this.norm_type = norm_type;
            this.scale_grad_by_freq = scale_grad_by_freq;
            this.sparse = sparse;
            register_parameter("weight", torch.empty(new[] { num_embeddings, embedding_dim }, dtype, device));
            reset_parameters();
        }

        public long num_embeddings { get; }
        public long embedding_dim { get; }
        /// <summary>The padding row (non-negative), or null.</summary>
        public long? padding_idx { get; }
        public double? max_norm { get; }
        public double norm_type { get; }
        public bool scale_grad_by_freq { get; }
        public bool sparse { get; }

        /// <summary>[num_embeddings, embedding_dim]; owned by the module.</summary>
        public Tensor weight => get_parameter("weight")!;

        /// <summary>N(0, 1), the padding row zeroed.</summary>
        public void reset_parameters()
        {
            var w = weight;
            nn.init.normal_(w);
            if (padding_idx is long p)
            {
                using var _ = torch.no_grad();
                using var row = w.select(0, p);
                row.zero_();
            }
        }

        /// <param name="input">int64 indices [*]</param>
        /// <returns>[*, embedding_dim]</returns>
        public override Tensor forward(Tensor input)
            => nn.functional.embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse);
    }
}
