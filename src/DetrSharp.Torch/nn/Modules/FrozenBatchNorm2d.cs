namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>Batch normalisation with fixed statistics and affine, as DETR's FrozenBatchNorm2d.</summary>
        public static Modules.FrozenBatchNorm2d FrozenBatchNorm2d(long num_features, double eps = 1e-5, Device? device = null, ScalarType? dtype = null)
            => new(num_features, eps, device, dtype);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// BatchNorm2d whose statistics and affine parameters are fixed, as DETR's models/backbone.py FrozenBatchNorm2d:
    /// buffers (not parameters) "weight" (ones), "bias" (zeros), "running_mean" (zeros), "running_var" (ones);
    /// y = x * scale + shift with scale = weight * rsqrt(running_var + eps), shift = bias - running_mean * scale
    /// (eps 1e-5). A state dict's "num_batches_tracked" (from a torchvision BatchNorm2d checkpoint) is dropped silently.
    /// </summary>
    public sealed class FrozenBatchNorm2d : nn.Module<Tensor, Tensor>
    {
        public FrozenBatchNorm2d(long num_features, double eps = 1e-5, Device? device = null, ScalarType? dtype = null) : base(nameof(FrozenBatchNorm2d))
        {
            if (num_features <= 0) throw new ArgumentOutOfRangeException(nameof(num_features), num_features, "FrozenBatchNorm2d: num_features must be positive");
            this.num_features = num_features;
            this.eps = eps;
            var c = new[] { num_features };
            register_buffer("weight", torch.ones(c, dtype, device));
            register_buffer("bias", torch.zeros(c, dtype, device));
            register_buffer("running_mean", torch.zeros(c, dtype, device));
            register_buffer("running_var", torch.ones(c, dtype, device));
        }

        public long num_features { get; }
        public double eps { get; }

        /// <summary>[C]; owned by the module.</summary>
        public Tensor weight => get_buffer("weight")!;
        /// <summary>[C]; owned by the module.</summary>
        public Tensor bias => get_buffer("bias")!;
        /// <summary>[C]; owned by the module.</summary>
        public Tensor running_mean => get_buffer("running_mean")!;
        /// <summary>[C]; owned by the module.</summary>
        public Tensor running_var => get_buffer("running_var")!;

        /// <summary>As DETR's _load_from_state_dict: a checkpoint's num_batches_tracked is neither loaded nor unexpected.</summary>
        protected override bool IgnoresStateKey(string localKey) => localKey == "num_batches_tracked";

        /// <param name="x">[N, C, H, W]</param>
        /// <returns>[N, C, H, W]</returns>
        public override Tensor forward(Tensor x)
        {
            if (x.dim() != 4 || x.size(1) != num_features)
                throw new ArgumentException($"FrozenBatchNorm2d: expected input [N, {num_features}, H, W], got shape {Shapes.Format(x)}", nameof(x));
            using var w = weight.reshape(1, -1, 1, 1);          // [1, C, 1, 1]
            using var b = bias.reshape(1, -1, 1, 1);
            using var rv = running_var.reshape(1, -1, 1, 1);
            using var rm = running_mean.reshape(1, -1, 1, 1);
            using var rvEps = rv + eps;
            using var inv = rvEps.rsqrt();
            using var scale = w * inv;
            using var shiftPart = rm * scale;
            using var shift = b - shiftPart;
            // One full-size tensor instead of two: the shift is added in place (mul's backward needs x and scale, not its output).
            var y = x * scale;                                   // [N, C, H, W]
            return y.add_(shift);
        }
    }
}
