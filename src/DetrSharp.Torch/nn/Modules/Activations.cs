namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>max(x, 0), as torch.nn.ReLU.</summary>
        public static Modules.ReLU ReLU(bool inplace = false) => new(inplace);

        /// <summary>x Φ(x) (approximate "none") or its tanh approximation ("tanh"), as torch.nn.GELU.</summary>
        public static Modules.GELU GELU(string approximate = "none") => new(approximate);

        /// <summary>x σ(x), as torch.nn.SiLU.</summary>
        public static Modules.SiLU SiLU(bool inplace = false) => new(inplace);

        /// <summary>σ(x), as torch.nn.Sigmoid.</summary>
        public static Modules.Sigmoid Sigmoid() => new();
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>max(x, 0), as torch.nn.ReLU; in place, the input itself is returned.</summary>
    public sealed class ReLU(bool inplace = false) : nn.Module<Tensor, Tensor>(nameof(ReLU))
    {
        public bool inplace { get; } = inplace;
        public override Tensor forward(Tensor input) => nn.functional.relu(input, inplace);
    }

    /// <summary>GELU, exact ("none") or tanh-approximated ("tanh"), as torch.nn.GELU.</summary>
    public sealed class GELU : nn.Module<Tensor, Tensor>
    {
        public GELU(string approximate = "none") : base(nameof(GELU))
        {
            if (approximate != "none" && approximate != "tanh")
                throw new ArgumentException($"GELU: approximate must be \"none\" or \"tanh\", got \"{approximate}\"", nameof(approximate));
            this.approximate = approximate;
        }

        public string approximate { get; }
        public override Tensor forward(Tensor input) => nn.functional.gelu(input, approximate);
    }

    /// <summary>x σ(x), as torch.nn.SiLU; in place, the input itself is returned.</summary>
    public sealed class SiLU(bool inplace = false) : nn.Module<Tensor, Tensor>(nameof(SiLU))
    {
        public bool inplace { get; } = inplace;
        public override Tensor forward(Tensor input) => nn.functional.silu(input, inplace);
    }

    /// <summary>σ(x) = 1 / (1 + exp(-x)), as torch.nn.Sigmoid.</summary>
    public sealed class Sigmoid() : nn.Module<Tensor, Tensor>(nameof(Sigmoid))
    {
        public override Tensor forward(Tensor input) => input.sigmoid();
    }
}
