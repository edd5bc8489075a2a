using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

public static partial class nn
{
    /// <summary>
    /// Stateless layer functions, as torch.nn.functional: activations, linear and convolution,
    /// normalisation, dropout, resampling, pooling, embedding and losses. Each returns a new tensor the
    /// caller owns (unless it is an in-place variant) and records autograd as libtorch does.
    /// </summary>
    public static partial class functional
    {
        static readonly Op GeluOp = new("aten::gelu"), SiluOp = new("aten::silu"), SiluIOp = new("aten::silu_");

        /// <summary>max(x, 0); in place when <paramref name="inplace"/> (then x itself is returned).</summary>
        public static Tensor relu(Tensor x, bool inplace = false) => inplace ? x.relu_() : x.relu();

        /// <summary>
        /// x * Φ(x) (approximate "none"), or the tanh approximation 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
        /// (approximate "tanh").
        /// </summary>
        public static Tensor gelu(Tensor x, string approximate = "none")
        {
            if (approximate != "none" && approximate != "tanh")
                throw new ArgumentException($"gelu: approximate must be \"none\" or \"tanh\", got \"{approximate}\"", nameof(approximate));
            return GeluOp.Tensor(x, ((Arg)approximate).Named("approximate"));
        }

        /// <summary>x * sigmoid(x); in place when <paramref name="inplace"/> (then x itself is returned).</summary>
        public static Tensor silu(Tensor x, bool inplace = false)
        {
            if (!inplace) return SiluOp.Tensor(x);
            SiluIOp.InPlace(x);
            return x;
        }

        /// <summary>1 / (1 + exp(-x)).</summary>
        public static Tensor sigmoid(Tensor x) => x.sigmoid();

        /// <summary>exp(x) / sum(exp(x)) along dim, computed in dtype when given.</summary>
        public static Tensor softmax(Tensor x, long dim, ScalarType? dtype = null) => x.softmax(dim, dtype);

        /// <summary>log(softmax(x)) along dim, computed stably, in dtype when given.</summary>
        public static Tensor log_softmax(Tensor x, long dim, ScalarType? dtype = null) => x.log_softmax(dim, dtype);
    }
}
