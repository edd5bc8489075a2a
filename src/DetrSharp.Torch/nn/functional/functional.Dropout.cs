using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

public static partial class nn
{
    public static partial class functional
    {
        static readonly Op DropoutOp = new("aten::dropout"), DropoutIOp = new("aten::dropout_");

        /// <summary>
        /// In training, zeroes each element with probability p (torch.manual_seed's generator) and scales the rest by
        /// 1 / (1 - p); otherwise returns the input unchanged (a new handle to it, or x itself when in place).
        /// </summary>
        public static Tensor dropout(Tensor input, double p = 0.5, bool training = true, bool inplace = false)
        {
            if (p < 0 || p > 1 || double.IsNaN(p))
                throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be between 0 and 1");
            if (!inplace) return training ? DropoutOp.Tensor(input, p, true) : input.alias();
            if (training) DropoutIOp.InPlace(input, p, true);
            return input;
        }
    }
}
