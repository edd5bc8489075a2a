using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Models;

/// <summary>
/// DETR's <c>TransformerDecoder</c>: a stack of <see cref="TransformerDecoderLayer"/> (<c>layers.N</c>) and a
/// final LayerNorm (<c>norm</c>). With return_intermediate, the output stacks every layer's output, each passed
/// through the final norm (the last one once); otherwise only the last layer's, with a leading dim of 1.
/// </summary>
public sealed class TransformerDecoder : nn.Module
{
    readonly ModuleList<TransformerDecoderLayer> _layers;
    readonly LayerNorm? _norm;

    /// <param name="layers">the layers, each with its own parameters</param>
    /// <param name="norm">the final norm (DETR always has one), or null</param>
    /// <param name="returnIntermediate">return every layer's (normalised) output</param>
    public TransformerDecoder(IEnumerable<TransformerDecoderLayer> layers, LayerNorm? norm, bool returnIntermediate = false)
        : base(nameof(TransformerDecoder))
    {
        _layers = register_module("layers", new ModuleList<TransformerDecoderLayer>(layers));
        if (_layers.Count == 0) throw new ArgumentException("TransformerDecoder: needs at least one layer", nameof(layers));
        if (norm is not null) _norm = register_module("norm", norm);
        ReturnIntermediate = returnIntermediate;
    }

    /// <summary>The layers.</summary>
    public ModuleList<TransformerDecoderLayer> Layers => _layers;

    /// <summary>The final norm, if any.</summary>
    public LayerNorm? Norm => _norm;

    /// <summary>Whether every layer's output is returned.</summary>
    public bool ReturnIntermediate { get; }

    /// <param name="tgt">[queries, batch, d_model] (zeros in DETR)</param>
    /// <param name="memory">[HW, batch, d_model]</param>
    /// <param name="tgtMask">[queries, queries] or null</param>
    /// <param name="memoryMask">[queries, HW] or null</param>
    /// <param name="tgtKeyPaddingMask">[batch, queries] or null</param>
    /// <param name="memoryKeyPaddingMask">[batch, HW] bool, true on padding, or null</param>
    /// <param name="pos">memory positions [HW, batch, d_model] or null</param>
    /// <param name="queryPos">query positions [queries, batch, d_model] or null</param>
    /// <returns>[layers, queries, batch, d_model] with return_intermediate, else [1, queries, batch, d_model]</returns>
    public Tensor forward(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null, Tensor? tgtKeyPaddingMask = null,
        Tensor? memoryKeyPaddingMask = null, Tensor? pos = null, Tensor? queryPos = null)
    {
        using var scope = torch.NewDisposeScope();
        var output = tgt;
        var intermediate = new List<Tensor>();
        for (int i = 0; i < _layers.Count; i++)
        {
            output = _layers[i].call(output, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, pos, queryPos);
            // The last layer's normalised output is added once, below (the reference pops and re-appends it).
            if (ReturnIntermediate && i < _layers.Count - 1) intermediate.Add(_norm is null ? output : _norm.call(output));
        }
        if (_norm is not null) output = _norm.call(output);
        if (ReturnIntermediate) intermediate.Add(output);
        var result = ReturnIntermediate ? torch.stack(intermediate, 0) : output.unsqueeze(0);
        return scope.MoveToOuter(result);
    }

    /// <summary>Same as <see cref="forward"/>.</summary>
    public Tensor call(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null, Tensor? tgtKeyPaddingMask = null,
        Tensor? memoryKeyPaddingMask = null, Tensor? pos = null, Tensor? queryPos = null)
        => forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, pos, queryPos);
}
