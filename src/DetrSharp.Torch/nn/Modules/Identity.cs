namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>A placeholder returning its input, as torch.nn.Identity.</summary>
        public static Modules.Identity Identity() => new();
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// Returns its input, as torch.nn.Identity: a new handle to the same tensor (same storage and autograd history),
    /// so the caller owns the result as with any other module.
    /// </summary>
    public sealed class Identity() : nn.Module<Tensor, Tensor>(nameof(Identity))
    {
        public override Tensor forward(Tensor input) => input.alias();
    }
}
