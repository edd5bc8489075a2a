using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

using DetrSharp.Detection.Models;

namespace DetrSharp.Detection.Detr;

/// <summary>
/// DETR's <c>TransformerDecoderLayer</c>: self-attention over the queries, cross-attention to the encoder's
/// memory and a feed-forward block, each with a residual and a LayerNorm (post-norm, or pre-norm with
/// normalize_before). query_pos is added to the queries (and self-attention keys), pos to the memory keys;
/// values never get positions. Children in the reference's order: self_attn, multihead_attn, linear1,
/// dropout, linear2, norm1..3, dropout1..3.
/// </summary>
public sealed class TransformerDecoderLayer : nn.Module
{
    readonly MultiheadAttention _selfAttn, _multiheadAttn;
    readonly Linear _linear1, _linear2;
    readonly Dropout _dropout, _dropout1, _dropout2, _dropout3;
    readonly LayerNorm _norm1, _norm2, _norm3;

    public TransformerDecoderLayer(long dModel, long nhead, long dimFeedforward = 2048, double dropout = 0.1,
        TransformerActivation activation = TransformerActivation.ReLU, bool normalizeBefore = false, Device? device = null)
        : base(nameof(TransformerDecoderLayer))
    {
        _selfAttn = register_module("self_attn", nn.MultiheadAttention(dModel, nhead, dropout, device: device));
        _multiheadAttn = register_module("multihead_attn", nn.MultiheadAttention(dModel, nhead, dropout, device: device));
        _linear1 = register_module("linear1", nn.Linear(dModel, dimFeedforward, device: device));
        _dropout = register_module("dropout", nn.Dropout(dropout));
        _linear2 = register_module("linear2", nn.Linear(dimFeedforward, dModel, device: device));
        _norm1 = register_module("norm1", nn.LayerNorm(dModel, device: device));
        _norm2 = register_module("norm2", nn.LayerNorm(dModel, device: device));
        _norm3 = register_module("norm3", nn.LayerNorm(dModel, device: device));
        _dropout1 = register_module("dropout1", nn.Dropout(dropout));
        _dropout2 = register_module("dropout2", nn.Dropout(dropout));
        _dropout3 = register_module("dropout3", nn.Dropout(dropout));
        Activation = activation;
        NormalizeBefore = normalizeBefore;
    }

    /// <summary>The feed-forward activation.</summary>
    public TransformerActivation Activation { get; }

    /// <summary>True for pre-norm.</summary>
    public bool NormalizeBefore { get; }

    /// <param name="tgt">[queries, batch, d_model]</param>
    /// <param name="memory">[HW, batch, d_model]</param>
    /// <param name="tgtMask">[queries, queries] or null</param>
    /// <param name="memoryMask">[queries, HW] or null</param>
    /// <param name="tgtKeyPaddingMask">[batch, queries] or null</param>
    /// <param name="memoryKeyPaddingMask">[batch, HW] bool, true on padding, or null</param>
    /// <param name="pos">memory positions [HW, batch, d_model] or null</param>
    /// <param name="queryPos">query positions [queries, batch, d_model] or null</param>
    /// <returns>[queries, batch, d_model]</returns>
    public Tensor forward(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null, Tensor? tgtKeyPaddingMask = null,
        Tensor? memoryKeyPaddingMask = null, Tensor? pos = null, Tensor? queryPos = null)
    {
        using var scope = torch.NewDisposeScope();
        var result = NormalizeBefore
            ? ForwardPre(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, pos, queryPos)
            : ForwardPost(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, pos, queryPos);
        return scope.MoveToOuter(result);
    }

    /// <summary>Same as <see cref="forward"/>.</summary>
    public Tensor call(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null, Tensor? tgtKeyPaddingMask = null,
        Tensor? memoryKeyPaddingMask = null, Tensor? pos = null, Tensor? queryPos = null)
        => forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, pos, queryPos);

    Tensor ForwardPost(Tensor tgt, Tensor memory, Tensor? tgtMask, Tensor? memoryMask, Tensor? tgtKeyPaddingMask,
        Tensor? memoryKeyPaddingMask, Tensor? pos, Tensor? queryPos)
    {
        var qk = WithPos(tgt, queryPos);
        var tgt2 = _selfAttn.call(qk, qk, tgt, tgtKeyPaddingMask, need_weights: false, attn_mask: tgtMask).output;
        tgt = _norm1.call(tgt + _dropout1.call(tgt2));
        tgt2 = _multiheadAttn.call(WithPos(tgt, queryPos), WithPos(memory, pos), memory, memoryKeyPaddingMask,
            need_weights: false, attn_mask: memoryMask).output;
        tgt = _norm2.call(tgt + _dropout2.call(tgt2));
        tgt2 = FeedForward(tgt);
        return _norm3.call(tgt + _dropout3.call(tgt2));
    }

    Tensor ForwardPre(Tensor tgt, Tensor memory, Tensor? tgtMask, Tensor? memoryMask, Tensor? tgtKeyPaddingMask,
        Tensor? memoryKeyPaddingMask, Tensor? pos, Tensor? queryPos)
    {
        var tgt2 = _norm1.call(tgt);
        var qk = WithPos(tgt2, queryPos);
        tgt2 = _selfAttn.call(qk, qk, tgt2, tgtKeyPaddingMask, need_weights: false, attn_mask: tgtMask).output;
        tgt = tgt + _dropout1.call(tgt2);
        tgt2 = _norm2.call(tgt);
        tgt2 = _multiheadAttn.call(WithPos(tgt2, queryPos), WithPos(memory, pos), memory, memoryKeyPaddingMask,
            need_weights: false, attn_mask: memoryMask).output;
        tgt = tgt + _dropout2.call(tgt2);
        tgt2 = FeedForward(_norm3.call(tgt));
        return tgt + _dropout3.call(tgt2);
    }

    // linear2(dropout(activation(linear1(x))))
    Tensor FeedForward(Tensor x) => _linear2.call(_dropout.call(Activation.Apply(_linear1.call(x))));

    static Tensor WithPos(Tensor x, Tensor? pos) => pos is null ? x : x + pos;
}
