using DetrSharp.Torch;

using DetrSharp.Detection.Models;

namespace DetrSharp.Detection.Detr;

/// <summary>The feed-forward activation of DETR's transformer layers (the reference's <c>_get_activation_fn</c>).</summary>
public enum TransformerActivation
{
    /// <summary>relu (DETR's default).</summary>
    ReLU,

    /// <summary>gelu (exact, erf form).</summary>
    GELU,
}

/// <summary>Applies a <see cref="TransformerActivation"/>.</summary>
internal static class TransformerActivations
{
    public static Tensor Apply(this TransformerActivation activation, Tensor x) => activation switch
    {
        TransformerActivation.ReLU => x.relu(),
        TransformerActivation.GELU => nn.functional.gelu(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown transformer activation"),
    };
}
