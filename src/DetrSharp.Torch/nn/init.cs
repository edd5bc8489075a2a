using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

public static partial class nn
{
    /// <summary>
    /// Parameter initialisation, as torch.nn.init: each function fills the tensor in place without recording
    /// gradient and returns it. Random fills draw from <c>generator</c>, or from the default generator that
    /// torch.manual_seed seeds, in the same order as PyTorch (so the same seed gives the same values).
    /// </summary>
    public static class init
    {
        static readonly Op ErfinvIOp = new("aten::erfinv_");

        /// <summary>Which fan kaiming_* scales by.</summary>
        public enum FanInOut
        {
            /// <summary>mode="fan_in": preserves the forward pass's variance.</summary>
            FanIn,
            /// <summary>mode="fan_out": preserves the backward pass's variance.</summary>
            FanOut,
        }

        /// <summary>The nonlinearity calculate_gain and kaiming_* take (PyTorch's nonlinearity strings).</summary>
        public enum NonlinearityType
        {
            Linear, Conv1D, Conv2D, Conv3D, ConvTranspose1D, ConvTranspose2D, ConvTranspose3D, Sigmoid, Tanh, ReLU, LeakyReLU, SELU,
        }

        /// <summary>
        /// The recommended gain for a nonlinearity: 1 for linear/conv/sigmoid, 5/3 for tanh, √2 for ReLU,
        /// √(2 / (1 + slope²)) for leaky ReLU (slope <paramref name="param"/>, default 0.01), 3/4 for SELU.
        /// </summary>
        public static double calculate_gain(NonlinearityType nonlinearity, double? param = null) => nonlinearity switch
        {
            NonlinearityType.Tanh => 5.0 / 3,
            NonlinearityType.ReLU => Math.Sqrt(2.0),
            NonlinearityType.LeakyReLU => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
            NonlinearityType.SELU => 3.0 / 4,
            _ => 1.0,
        };

        /// <summary>
        /// (fan_in, fan_out) of a weight [out, in, *kernel]: in × receptive field, out × receptive field.
        /// </summary>
        public static (long fan_in, long fan_out) calculate_fan_in_and_fan_out(Tensor tensor)
        {
            var s = tensor.shape;
            if (s.Length < 2)
                throw new ArgumentException($"fan in and fan out need a tensor with at least 2 dims, got shape {Shapes.Format(s)}", nameof(tensor));
            long receptive = 1;
            for (int d = 2; d < s.Length; d++) receptive *= s[d];
            return (s[1] * receptive, s[0] * receptive);
        }

        /// <summary>Fills with U(a, b).</summary>
        public static Tensor uniform_(Tensor tensor, double a = 0, double b = 1, Generator? generator = null)
        {
            using var _ = torch.no_grad();
            return tensor.uniform_(a, b, generator);
        }

        /// <summary>Fills with N(mean, std²).</summary>
        public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
        {
            using var _ = torch.no_grad();
            return tensor.normal_(mean, std, generator);
        }

        /// <summary>
        /// Fills with N(mean, std²) truncated to [a, b] (by inverting the normal CDF of a uniform sample, as PyTorch).
        /// </summary>
        public static Tensor trunc_normal_(Tensor tensor, double mean = 0, double std = 1, double a = -2, double b = 2, Generator? generator = null)
        {
            if (!(std > 0) || !(a < b)) throw new ArgumentException($"trunc_normal_: needs std > 0 and a < b, got std {std}, [{a}, {b}]");
            double lo = NormCdf((a - mean) / std), hi = NormCdf((b - mean) / std);
            using var _ = torch.no_grad();
            tensor.uniform_(2 * lo - 1, 2 * hi - 1, generator);
            ErfinvIOp.InPlace(tensor);
            tensor.mul_(std * Math.Sqrt(2.0)).add_(mean);
            return tensor.clamp_(a, b);
        }

        static double NormCdf(double x)
        {
            using var t = torch.tensor(x / Math.Sqrt(2.0), ScalarType.Float64);
            using var e = t.erf();
            return (1 + e.ToDouble()) / 2;
        }

        /// <summary>Fills with <paramref name="val"/>.</summary>
        public static Tensor constant_(Tensor tensor, Scalar val)
        {
            using var _ = torch.no_grad();
            return tensor.fill_(val);
        }

        /// <summary>Fills with 0.</summary>
        public static Tensor zeros_(Tensor tensor)
        {
            using var _ = torch.no_grad();
            return tensor.zero_();
        }

        /// <summary>Fills with 1.</summary>
        public static Tensor ones_(Tensor tensor) => constant_(tensor, 1.0);

        /// <summary>Fills a 2-D tensor with the identity matrix.</summary>
        public static Tensor eye_(Tensor tensor)
        {
            if (tensor.dim() != 2) throw new ArgumentException($"eye_: needs a 2-D tensor, got shape {Shapes.Format(tensor)}", nameof(tensor));
            using var _ = torch.no_grad();
            using var eye = torch.eye(tensor.size(0), tensor.size(1), tensor.dtype, tensor.device);
            return tensor.copy_(eye);
        }

        /// <summary>Glorot uniform: U(-a, a) with a = gain × √(6 / (fan_in + fan_out)).</summary>
        public static Tensor xavier_uniform_(Tensor tensor, double gain = 1.0, Generator? generator = null)
        {
            var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
            double std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
            double a = Math.Sqrt(3.0) * std;
            return uniform_(tensor, -a, a, generator);
        }

        /// <summary>Glorot normal: N(0, std²) with std = gain × √(2 / (fan_in + fan_out)).</summary>
        public static Tensor xavier_normal_(Tensor tensor, double gain = 1.0, Generator? generator = null)
        {
            var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
            double std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
            return normal_(tensor, 0, std, generator);
        }

        /// <summary>
        /// He uniform: U(-bound, bound) with bound = √3 × gain / √fan, gain = calculate_gain(nonlinearity, a).
        /// nn.Linear and nn.Conv2d use a = √5, which gives bound = 1 / √fan_in.
        /// </summary>
        public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanInOut mode = FanInOut.FanIn,
            NonlinearityType nonlinearity = NonlinearityType.LeakyReLU, Generator? generator = null)
        {
            if (tensor.numel() == 0) return tensor; // as PyTorch: initialising a zero-element tensor is a no-op
            double std = KaimingStd(tensor, a, mode, nonlinearity);
            double bound = Math.Sqrt(3.0) * std;
            return uniform_(tensor, -bound, bound, generator);
        }

        /// <summary>He normal: N(0, std²) with std = gain / √fan, gain = calculate_gain(nonlinearity, a).</summary>
        public static Tensor kaiming_normal_(Tensor tensor, double a = 0, FanInOut mode = FanInOut.FanIn,
            NonlinearityType nonlinearity = NonlinearityType.LeakyReLU, Generator? generator = null)
            => tensor.numel() == 0 ? tensor : normal_(tensor, 0, KaimingStd(tensor, a, mode, nonlinearity), generator);

        static double KaimingStd(Tensor tensor, double a, FanInOut mode, NonlinearityType nonlinearity)
        {
            var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
            long fan = mode == FanInOut.FanIn ? fanIn : fanOut;
            return calculate_gain(nonlinearity, a) / Math.Sqrt(fan);
        }
    }
}
