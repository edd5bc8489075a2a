namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>2-D max pooling with a square window, as torch.nn.MaxPool2d (stride defaults to kernel_size).</summary>
        public static Modules.MaxPool2d MaxPool2d(long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false)
            => new(new[] { kernel_size }, stride is long s ? new[] { s } : null, new[] { padding }, new[] { dilation }, ceil_mode);

        /// <summary>2-D max pooling with per-dimension (height, width) settings, as torch.nn.MaxPool2d.</summary>
        public static Modules.MaxPool2d MaxPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false)
            => new(kernel_size, stride, padding, dilation, ceil_mode);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>2-D max pooling over [N, C, H, W] input, as torch.nn.MaxPool2d.</summary>
    public sealed class MaxPool2d : nn.Module<Tensor, Tensor>
    {
        public MaxPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false)
            : base(nameof(MaxPool2d))
        {
            this.kernel_size = nn.functional.Pair(kernel_size, 0, nameof(kernel_size));
            this.stride = stride is null ? this.kernel_size : nn.functional.Pair(stride, 1, nameof(stride));
            this.padding = nn.functional.Pair(padding, 0, nameof(padding));
            this.dilation = nn.functional.Pair(dilation, 1, nameof(dilation));
            this.ceil_mode = ceil_mode;
            if (this.kernel_size.Any(k => k <= 0) || this.stride.Any(s => s <= 0))
                throw new ArgumentException($"MaxPool2d: kernel_size {Shapes.Format(this.kernel_size)} and stride {Shapes.Format(this.stride)} must be positive");
        }

        /// <summary>[kH, kW]</summary>
        public long[] kernel_size { get; }
        /// <summary>[sH, sW]</summary>
        public long[] stride { get; }
        /// <summary>[pH, pW]</summary>
        public long[] padding { get; }
        /// <summary>[dH, dW]</summary>
        public long[] dilation { get; }
        public bool ceil_mode { get; }

        /// <param name="input">[N, C, H, W] or [C, H, W]</param>
        /// <returns>[N, C, H_out, W_out]</returns>
        public override Tensor forward(Tensor input) => nn.functional.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode);
    }
}
