using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

public static partial class nn
{
    public static partial class functional
    {
        static readonly Op SoftplusOp = new("aten::softplus");

        /// <summary>
        /// log(1 + exp(β x)) / β, and x itself where β x &gt; threshold, as torch.nn.functional.softplus (one fused
        /// kernel; its gradient is sigmoid(β x)).
        /// </summary>
        public static Tensor softplus(Tensor x, double beta = 1, double threshold = 20)
        {
            if (beta == 0) throw new ArgumentOutOfRangeException(nameof(beta), beta, "softplus: beta cannot be 0");
            return SoftplusOp.Tensor(x, (Scalar)beta, (Scalar)threshold);
        }
    }
}
