using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

public static partial class nn
{
    public static partial class functional
    {
        static readonly Op MaxPool2dOp = new("aten::max_pool2d"), AdaptiveAvgPool2dOp = new("aten::adaptive_avg_pool2d");

        /// <summary>2-D max pooling (padding counts as -inf).</summary>
        /// <param name="input">[N, C, H, W] or [C, H, W]</param>
        /// <param name="kernel_size">one value or [kH, kW]</param>
        /// <param name="stride">one value or [sH, sW]; null means kernel_size</param>
        /// <param name="padding">one value or [pH, pW]; at most half the kernel</param>
        /// <param name="dilation">one value or [dH, dW]</param>
        /// <param name="ceil_mode">round the output size up instead of down</param>
        public static Tensor max_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false)
        {
            if (input.dim() != 3 && input.dim() != 4)
                throw new ArgumentException($"max_pool2d: input must be [N, C, H, W] or [C, H, W], got shape {Shapes.Format(input)}", nameof(input));
            var k = Pair(kernel_size, 0, nameof(kernel_size));
            return MaxPool2dOp.Tensor(input, k, stride is null ? k : Pair(stride, 1, nameof(stride)), Pair(padding, 0, nameof(padding)), Pair(dilation, 1, nameof(dilation)), ceil_mode);
        }

        /// <summary>2-D average pooling to a fixed output size; each output cell averages input rows floor(i*H/Ho) .. ceil((i+1)*H/Ho).</summary>
        /// <param name="input">[N, C, H, W] or [C, H, W]</param>
        /// <param name="output_size">one value or [H_out, W_out]</param>
        public static Tensor adaptive_avg_pool2d(Tensor input, long[] output_size)
        {
            if (input.dim() != 3 && input.dim() != 4)
                throw new ArgumentException($"adaptive_avg_pool2d: input must be [N, C, H, W] or [C, H, W], got shape {Shapes.Format(input)}", nameof(input));
            return AdaptiveAvgPool2dOp.Tensor(input, Pair(output_size, 1, nameof(output_size)));
        }
    }
}
