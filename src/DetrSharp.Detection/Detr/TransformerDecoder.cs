using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

using DetrSharp.Detection.Models;

namespace DetrSharp.Detection.Detr;

/// <summary>
/// DETR's <c>TransformerDecoder</c>: a stack of <see cref="TransformerDecoderLayer"/> (<c>layers.N</c>) and a
/// final LayerNorm (<c>norm</c>). With return_intermediate, the output stacks every layer's output, each passed
/// through the final norm (the last one once); otherwise only the last layer's, with a leading dim of 1.
/// </summary>
public sealed class TransformerDecoder : nn.Module
{
    readonly ModuleList<TransformerDecoderLayer> _layers;
    readonly LayerNorm? _norm;
    readonly MLP? _refPointHead;

    /// <param name="layers">the layers, each with its own parameters</param>
    /// <param name="norm">the final norm (DETR always has one), or null</param>
    /// <param name="returnIntermediate">return every layer's (normalised) output</param>
    /// <param name="refPointHead">for anchor-box decoding (<see cref="ForwardAnchored"/>): DAB-DETR's ref_point_head,
    /// the MLP from a box's sine embedding [.., 2 × d_model] to a query position [.., d_model]</param>
    public TransformerDecoder(IEnumerable<TransformerDecoderLayer> layers, LayerNorm? norm, bool returnIntermediate = false, MLP? refPointHead = null)
        : base(nameof(TransformerDecoder))
    {
        if (refPointHead is not null) _refPointHead = register_module("ref_point_head", refPointHead);
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

    /// <summary>Whether the decoder was built for anchor boxes (has a ref_point_head).</summary>
    public bool HasAnchors => _refPointHead is not null;

    /// <summary>
    /// Decoding from anchor boxes, as DAB-DETR: before each layer the query position is ref_point_head(sine(anchor)),
    /// so every query looks where its box is; after it, <paramref name="boxDelta"/> of the normalised output moves
    /// the box in logit space (box = sigmoid(delta + inverse_sigmoid(anchor))), and the next layer starts from that
    /// box, detached (gradients reach each box through its own layer only; the anchors themselves learn through the
    /// first layer, as in DAB-DETR). The matcher and losses see the boxes
    /// of every layer, as DETR's auxiliary outputs.
    /// </summary>
    /// <param name="tgt">[Q, B, C] content queries (zeros in DETR)</param>
    /// <param name="memory">[HW, B, C] encoder output</param>
    /// <param name="anchors">[Q, B, 4] starting boxes, normalised cxcywh in (0, 1)</param>
    /// <param name="boxDelta">the box head: [.., C] → [.., 4] offsets in logit space</param>
    /// <param name="memoryKeyPaddingMask">[B, HW], true on padding</param>
    /// <param name="pos">[HW, B, C] the feature map's position encoding</param>
    /// <returns>hs [L, Q, B, C] (normalised outputs of every layer) and boxes [L, Q, B, 4] (sigmoid cxcywh)</returns>
    public (Tensor hs, Tensor boxes) ForwardAnchored(Tensor tgt, Tensor memory, Tensor anchors, Func<Tensor, Tensor> boxDelta,
        Tensor? memoryKeyPaddingMask = null, Tensor? pos = null)
    {
        var head = _refPointHead ?? throw new InvalidOperationException("TransformerDecoder: built without a ref_point_head, so it cannot decode from anchor boxes");
        if (_norm is null) throw new InvalidOperationException("TransformerDecoder: anchor-box decoding needs the final norm (the box head reads normalised outputs)");
        using var scope = torch.NewDisposeScope();
        long dModel = tgt.size(-1);
        var output = tgt;
        var reference = anchors;                                                  // [Q, B, 4]; the anchors learn through the first layer
        var hs = new List<Tensor>(_layers.Count);
        var boxes = new List<Tensor>(_layers.Count);
        for (int i = 0; i < _layers.Count; i++)
        {
            var queryPos = head.call(AnchorMath.SineEmbedding(reference, dModel / 2)); // [Q, B, C]
            output = _layers[i].call(output, memory, null, null, null, memoryKeyPaddingMask, pos, queryPos);
            var normed = _norm.call(output);                                      // [Q, B, C]
            var box = boxDelta(normed).add_(AnchorMath.InverseSigmoid(reference)).sigmoid_(); // [Q, B, 4]
            hs.Add(normed);
            boxes.Add(box);
            reference = box.detach();
        }
        return (scope.MoveToOuter(torch.stack(hs, 0)), scope.MoveToOuter(torch.stack(boxes, 0)));
    }
}
