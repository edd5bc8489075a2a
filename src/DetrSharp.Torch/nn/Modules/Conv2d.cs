namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>A 2-D convolution with square kernel, stride, padding and dilation, as torch.nn.Conv2d.</summary>
        public static Modules.Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1,
            PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null)
            => new(in_channels, out_channels, new[] { kernel_size, kernel_size }, new[] { stride, stride }, new[] { padding, padding },
                new[] { dilation, dilation }, padding_mode, groups, bias, device, dtype);

        /// <summary>A 2-D convolution with per-dimension (height, width) settings, as torch.nn.Conv2d.</summary>
        public static Modules.Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null,
            (long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null)
            => new(in_channels, out_channels, Arr(kernel_size), Arr(stride ?? (1, 1)), Arr(padding ?? (0, 0)), Arr(dilation ?? (1, 1)),
                padding_mode, groups, bias, device, dtype);

        static long[] Arr((long, long) v) => new[] { v.Item1, v.Item2 };
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// 2-D convolution, as torch.nn.Conv2d: "weight" [out_channels, in_channels / groups, kH, kW] and "bias" [out_channels],
    /// initialised as PyTorch does (kaiming_uniform_ with a = √5, then the bias U(±1/√fan_in), fan_in = in/groups × kH × kW).
    /// padding_mode other than zeros pads the input first (reflect, replicate, circular).
    /// </summary>
    public sealed class Conv2d : nn.Module<Tensor, Tensor>
    {
        public Conv2d(long in_channels, long out_channels, long[] kernel_size, long[] stride, long[] padding, long[] dilation,
            PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null)
            : base(nameof(Conv2d))
        {
            if (groups <= 0 || in_channels % groups != 0 || out_channels % groups != 0)
                throw new ArgumentException($"Conv2d: in_channels ({in_channels}) and out_channels ({out_channels}) must be divisible by groups ({groups})", nameof(groups));
            this.in_channels = in_channels;
            this.out_channels = out_channels;
            this.kernel_size = nn.functional.Pair(kernel_size, 0, nameof(kernel_size));
            this.stride = nn.functional.Pair(stride, 1, nameof(stride));
            this.padding = nn.functional.Pair(padding, 0, nameof(padding));
            this.dilation = nn.functional.Pair(dilation, 1, nameof(dilation));
            this.padding_mode = padding_mode;
            this.groups = groups;
            register_parameter("weight", torch.empty(new[] { out_channels, in_channels / groups, this.kernel_size[0], this.kernel_size[1] }, dtype, device));
            register_parameter("bias", bias ? torch.empty(new[] { out_channels }, dtype, device) : null);
            reset_parameters();
        }

        public long in_channels { get; }
        public long out_channels { get; }
        /// <summary>[kH, kW]</summary>
        public long[] kernel_size { get; }
        /// <summary>[sH, sW]</summary>
        public long[] stride { get; }
        /// <summary>[pH, pW], each side</summary>
        public long[] padding { get; }
        /// <summary>[dH, dW]</summary>
        public long[] dilation { get; }
        public PaddingModes padding_mode { get; }
        public long groups { get; }

        /// <summary>[out_channels, in_channels / groups, kH, kW]; owned by the module.</summary>
        public Tensor weight
        {
            get => get_parameter("weight")!;
            set => register_parameter("weight", value);
        }

        /// <summary>[out_channels], or null; owned by the module.</summary>
        public Tensor? bias
        {
            get => get_parameter("bias");
            set => register_parameter("bias", value);
        }

        /// <summary>Re-draws the parameters as the constructor does.</summary>
        public void reset_parameters()
        {
            var w = weight;
            nn.init.kaiming_uniform_(w, Math.Sqrt(5));
            if (bias is { } b)
            {
                var (fanIn, _) = nn.init.calculate_fan_in_and_fan_out(w);
                double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
                nn.init.uniform_(b, -bound, bound);
            }
        }

        /// <param name="input">[N, in_channels, H, W] or [in_channels, H, W]</param>
        /// <returns>[N, out_channels, H_out, W_out], H_out = (H + 2 pH - dH (kH - 1) - 1) / sH + 1</returns>
        public override Tensor forward(Tensor input)
        {
            if (padding_mode is PaddingModes.Zeros or PaddingModes.Constant)
                return nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
            using var padded = nn.functional.pad(input, new[] { padding[1], padding[1], padding[0], padding[0] }, padding_mode);
            return nn.functional.conv2d(padded, weight, bias, stride, new long[] { 0, 0 }, dilation, groups);
        }
    }
}
