using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

public static partial class nn
{
    public static partial class functional
    {
        static readonly Op UpsampleNearestOp = new("aten::upsample_nearest2d.vec"), UpsampleBilinearOp = new("aten::upsample_bilinear2d.vec"),
            GridSamplerOp = new("aten::grid_sampler"), PadOp = new("aten::pad");

        /// <summary>
        /// Resizes the spatial dims of [N, C, H, W] input to <paramref name="size"/>, or by <paramref name="scale_factor"/>
        /// (output = floor(input * scale); the scale, not the rounded size, maps coordinates unless
        /// <paramref name="recompute_scale_factor"/>), as torch.nn.functional.interpolate.
        /// </summary>
        /// <param name="input">[N, C, H, W]</param>
        /// <param name="size">[H_out, W_out] (or one value for both); exclusive with scale_factor</param>
        /// <param name="scale_factor">[sH, sW] (or one value for both); exclusive with size</param>
        /// <param name="mode">nearest (PyTorch's legacy "nearest": src = floor(dst * in / out)) or bilinear</param>
        /// <param name="align_corners">bilinear only: corners of input and output pixels aligned (default false)</param>
        /// <param name="recompute_scale_factor">with scale_factor: compute the output size, then interpolate as if it were given</param>
        /// <returns>[N, C, H_out, W_out]</returns>
        public static Tensor interpolate(Tensor input, long[]? size = null, double[]? scale_factor = null, InterpolationMode mode = InterpolationMode.Nearest,
            bool? align_corners = null, bool? recompute_scale_factor = null)
        {
            var s = input.shape;
            if (s.Length != 4)
                throw new ArgumentException($"interpolate: input must be 4-D [N, C, H, W], got shape {Shapes.Format(s)}", nameof(input));
            if ((size is null) == (scale_factor is null))
                throw new ArgumentException("interpolate: give exactly one of size and scale_factor");
            if (mode == InterpolationMode.Nearest && align_corners.HasValue)
                throw new ArgumentException("interpolate: align_corners can only be set with mode bilinear", nameof(align_corners));

            long[]? outSize = null;
            double[]? scales = null;
            if (size is not null)
            {
                outSize = Pair(size, 0, nameof(size));
                if (outSize[0] <= 0 || outSize[1] <= 0)
                    throw new ArgumentException($"interpolate: size must be positive, got {Shapes.Format(outSize)}", nameof(size));
            }
            else
            {
                scales = scale_factor!.Length switch
                {
                    1 => new[] { scale_factor[0], scale_factor[0] },
                    2 => scale_factor,
                    _ => throw new ArgumentException($"interpolate: scale_factor must have 1 or 2 values, got {scale_factor.Length}", nameof(scale_factor)),
                };
                if (!(scales[0] > 0) || !(scales[1] > 0))
                    throw new ArgumentException($"interpolate: scale_factor must be positive, got [{scales[0]}, {scales[1]}]", nameof(scale_factor));
                if (recompute_scale_factor == true)
                {
                    outSize = new[] { (long)Math.Floor(s[2] * scales[0]), (long)Math.Floor(s[3] * scales[1]) };
                    scales = null;
                }
            }
            return mode switch
            {
                InterpolationMode.Nearest => UpsampleNearestOp.Tensor(input, outSize, scales),
                InterpolationMode.Bilinear => UpsampleBilinearOp.Tensor(input, outSize, align_corners ?? false, scales),
                _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "interpolate: unsupported mode"),
            };
        }

        /// <summary>
        /// Samples input at the normalised locations in grid (x, y in [-1, 1]; -1 the left/top edge), as
        /// torch.nn.functional.grid_sample.
        /// </summary>
        /// <param name="input">[N, C, H, W] (or [N, C, D, H, W] with a 5-D grid)</param>
        /// <param name="grid">[N, H_out, W_out, 2] holding (x, y)</param>
        /// <param name="align_corners">true: ±1 are the centres of the corner pixels; false (default): their outer edges</param>
        /// <returns>[N, C, H_out, W_out]</returns>
        public static Tensor grid_sample(Tensor input, Tensor grid, GridSampleMode mode = GridSampleMode.Bilinear,
            GridSamplePaddingMode padding_mode = GridSamplePaddingMode.Zeros, bool? align_corners = null)
        {
            var si = input.shape;
            var sg = grid.shape;
            if (si.Length != 4 && si.Length != 5)
                throw new ArgumentException($"grid_sample: input must be 4-D or 5-D, got shape {Shapes.Format(si)}", nameof(input));
            if (sg.Length != si.Length || sg[0] != si[0] || sg[^1] != si.Length - 2)
                throw new ArgumentException($"grid_sample: grid must be [N, H_out, W_out, 2] (or 5-D with 3) matching input {Shapes.Format(si)}, got {Shapes.Format(sg)}", nameof(grid));
            if (mode == GridSampleMode.Bicubic && si.Length != 4)
                throw new ArgumentException("grid_sample: bicubic needs 4-D input", nameof(mode));
            return GridSamplerOp.Tensor(input, grid, (long)mode, (long)padding_mode, align_corners ?? false);
        }

        /// <summary>
        /// Pads the last dims: <paramref name="pad"/> = [left, right] for the last dim, then [top, bottom] for the one
        /// before, and so on (negative values crop), as torch.nn.functional.pad.
        /// </summary>
        /// <param name="mode">constant (with value), reflect, replicate or circular</param>
        public static Tensor pad(Tensor input, long[] pad, PaddingModes mode = PaddingModes.Constant, double value = 0)
        {
            if (pad.Length % 2 != 0 || pad.Length / 2 > input.dim())
                throw new ArgumentException($"pad: needs an even number of values, at most 2 per dim, got {pad.Length} for a {input.dim()}-d input", nameof(pad));
            string m = mode switch
            {
                PaddingModes.Constant or PaddingModes.Zeros => "constant",
                PaddingModes.Reflect => "reflect",
                PaddingModes.Replicate => "replicate",
                PaddingModes.Circular => "circular",
                _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "pad: unknown mode"),
            };
            if (m != "constant" && value != 0)
                throw new ArgumentException($"pad: mode {m} takes no value", nameof(value));
            if (mode == PaddingModes.Zeros) value = 0;
            return PadOp.Tensor(input, pad, m, m == "constant" ? value : Arg.None);
        }
    }
}
