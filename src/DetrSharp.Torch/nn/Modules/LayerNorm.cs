namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>Layer normalisation over the last dim, as torch.nn.LayerNorm(normalized_shape).</summary>
        public static Modules.LayerNorm LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true, bool bias = true,
            Device? device = null, ScalarType? dtype = null)
            => new(new[] { normalized_shape }, eps, elementwise_affine, bias, device, dtype);

        /// <summary>Layer normalisation over the trailing dims, as torch.nn.LayerNorm(normalized_shape).</summary>
        public static Modules.LayerNorm LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, bool bias = true,
            Device? device = null, ScalarType? dtype = null)
            => new(normalized_shape, eps, elementwise_affine, bias, device, dtype);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// Layer normalisation over the trailing dims <see cref="normalized_shape"/>, as torch.nn.LayerNorm: parameters
    /// "weight" (ones) and "bias" (zeros), shaped normalized_shape, when elementwise_affine.
    /// </summary>
    public sealed class LayerNorm : nn.Module<Tensor, Tensor>
    {
        public LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, bool bias = true,
            Device? device = null, ScalarType? dtype = null) : base(nameof(LayerNorm))
        {
            if (normalized_shape.Length == 0 || normalized_shape.Any(d => d <= 0))
                throw new ArgumentException($"LayerNorm: normalized_shape must be non-empty and positive, got {Shapes.Format(normalized_shape)}", nameof(normalized_shape));
            this.normalized_shape = (long[])normalized_shape.Clone();
            this.eps = eps;
            this.elementwise_affine = elementwise_affine;
            register_parameter("weight", elementwise_affine ? torch.ones(this.normalized_shape, dtype, device) : null);
            register_parameter("bias", elementwise_affine && bias ? torch.zeros(this.normalized_shape, dtype, device) : null);
        }

        public long[] normalized_shape { get; }
        public double eps { get; }
        public bool elementwise_affine { get; }

        /// <summary>[normalized_shape...] or null; owned by the module.</summary>
        public Tensor? weight => get_parameter("weight");
        /// <summary>[normalized_shape...] or null; owned by the module.</summary>
        public Tensor? bias => get_parameter("bias");

        /// <param name="input">[*, normalized_shape...]</param>
        /// <returns>the input's shape</returns>
        public override Tensor forward(Tensor input) => nn.functional.layer_norm(input, normalized_shape, weight, bias, eps);
    }
}
