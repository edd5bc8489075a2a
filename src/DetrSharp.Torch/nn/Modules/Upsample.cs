namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>Resizing of [N, C, H, W] input to a size or by a scale factor, as torch.nn.Upsample.</summary>
        public static Modules.Upsample Upsample(long[]? size = null, double[]? scale_factor = null, InterpolationMode mode = InterpolationMode.Nearest,
            bool? align_corners = null)
            => new(size, scale_factor, mode, align_corners);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>nn.functional.interpolate as a module, as torch.nn.Upsample.</summary>
    public sealed class Upsample : nn.Module<Tensor, Tensor>
    {
        public Upsample(long[]? size = null, double[]? scale_factor = null, InterpolationMode mode = InterpolationMode.Nearest, bool? align_corners = null)
            : base(nameof(Upsample))
        {
            if ((size is null) == (scale_factor is null))
                throw new ArgumentException("Upsample: give exactly one of size and scale_factor");
            if (mode == InterpolationMode.Nearest && align_corners.HasValue)
                throw new ArgumentException("Upsample: align_corners can only be set with mode bilinear", nameof(align_corners));
            this.size = size;
            this.scale_factor = scale_factor;
            this.mode = mode;
            this.align_corners = align_corners;
        }

        public long[]? size { get; }
        public double[]? scale_factor { get; }
        public InterpolationMode mode { get; }
        public bool? align_corners { get; }

        /// <param name="input">[N, C, H, W]</param>
        /// <returns>[N, C, H_out, W_out]</returns>
        public override Tensor forward(Tensor input) => nn.functional.interpolate(input, size, scale_factor, mode, align_corners);
    }
}
