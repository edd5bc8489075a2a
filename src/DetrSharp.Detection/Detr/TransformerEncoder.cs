using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

using DetrSharp.Detection.Models;

namespace DetrSharp.Detection.Detr;

/// <summary>
/// DETR's <c>TransformerEncoder</c>: a stack of <see cref="TransformerEncoderLayer"/> (<c>layers.N</c>) and an
/// optional final LayerNorm (<c>norm</c>; DETR has one only in pre-norm).
/// </summary>
public sealed class TransformerEncoder : nn.Module
{
    readonly ModuleList<TransformerEncoderLayer> _layers;
    readonly LayerNorm? _norm;

    /// <param name="layers">the layers, each with its own parameters</param>
    /// <param name="norm">the final norm, or null</param>
    public TransformerEncoder(IEnumerable<TransformerEncoderLayer> layers, LayerNorm? norm) : base(nameof(TransformerEncoder))
    {
        _layers = register_module("layers", new ModuleList<TransformerEncoderLayer>(layers));
        if (norm is not null) _norm = register_module("norm", norm);
    }

    /// <summary>The layers.</summary>
    public ModuleList<TransformerEncoderLayer> Layers => _layers;

    /// <summary>The final norm, if any.</summary>
    public LayerNorm? Norm => _norm;

    /// <param name="src">[HW, batch, d_model]</param>
    /// <param name="mask">attention mask [HW, HW] or null</param>
    /// <param name="srcKeyPaddingMask">[batch, HW] bool, true on padding, or null</param>
    /// <param name="pos">[HW, batch, d_model] or null</param>
    /// <returns>memory [HW, batch, d_model]</returns>
    public Tensor forward(Tensor src, Tensor? mask = null, Tensor? srcKeyPaddingMask = null, Tensor? pos = null)
    {
        using var scope = torch.NewDisposeScope();
        var output = src;
        foreach (var layer in _layers) output = layer.call(output, mask, srcKeyPaddingMask, pos);
        if (_norm is not null) output = _norm.call(output);
        if (ReferenceEquals(output, src)) output = src.alias();
        return scope.MoveToOuter(output);
    }

    /// <summary>Same as <see cref="forward"/>.</summary>
    public Tensor call(Tensor src, Tensor? mask = null, Tensor? srcKeyPaddingMask = null, Tensor? pos = null)
        => forward(src, mask, srcKeyPaddingMask, pos);
}
