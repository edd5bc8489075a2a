namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>2-D average pooling to a square output size, as torch.nn.AdaptiveAvgPool2d.</summary>
        public static Modules.AdaptiveAvgPool2d AdaptiveAvgPool2d(long output_size) => new(new[] { output_size, output_size });

        /// <summary>2-D average pooling to [H_out, W_out], as torch.nn.AdaptiveAvgPool2d.</summary>
        public static Modules.AdaptiveAvgPool2d AdaptiveAvgPool2d((long, long) output_size) => new(new[] { output_size.Item1, output_size.Item2 });
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>2-D average pooling to a fixed output size, as torch.nn.AdaptiveAvgPool2d.</summary>
    public sealed class AdaptiveAvgPool2d : nn.Module<Tensor, Tensor>
    {
        public AdaptiveAvgPool2d(long[] output_size) : base(nameof(AdaptiveAvgPool2d))
        {
            this.output_size = nn.functional.Pair(output_size, 1, nameof(output_size));
            if (this.output_size.Any(s => s <= 0))
                throw new ArgumentException($"AdaptiveAvgPool2d: output_size must be positive, got {Shapes.Format(this.output_size)}", nameof(output_size));
        }

        /// <summary>[H_out, W_out]</summary>
        public long[] output_size { get; }

        /// <param name="input">[N, C, H, W] or [C, H, W]</param>
        /// <returns>[N, C, H_out, W_out]</returns>
        public override Tensor forward(Tensor input) => nn.functional.adaptive_avg_pool2d(input, output_size);
    }
}
