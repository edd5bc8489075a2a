namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>Dropout with probability p in training mode, identity in eval mode, as torch.nn.Dropout.</summary>
        public static Modules.Dropout Dropout(double p = 0.5, bool inplace = false) => new(p, inplace);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// In training mode zeroes elements with probability p and scales the rest by 1 / (1 - p); in eval mode returns
    /// the input (a new handle to it), as torch.nn.Dropout.
    /// </summary>
    public sealed class Dropout : nn.Module<Tensor, Tensor>
    {
        public Dropout(double p = 0.5, bool inplace = false) : base(nameof(Dropout))
        {
            if (p < 0 || p > 1 || double.IsNaN(p))
                throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: probability must be between 0 and 1");
            this.p = p;
            this.inplace = inplace;
        }

        public double p { get; }
        public bool inplace { get; }

        /// <summary>In place, the input itself is returned (modified in training mode).</summary>
        public override Tensor forward(Tensor input) => nn.functional.dropout(input, p, training, inplace);
    }
}
