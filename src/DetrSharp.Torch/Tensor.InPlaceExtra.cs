using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

// In-place unary ops that the typed surface lacks (used by the matcher's no-grad cost kernels).
public sealed partial class Tensor
{
    static readonly Op LogIOp = new("aten::log_");

    /// <summary>log(x) in place; returns this tensor.</summary>
    public Tensor log_() { LogIOp.InPlace(this); return this; }
}
