using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

using DetrSharp.Detection.Models;

namespace DetrSharp.Detection.Detr;

/// <summary>
/// DETR's <c>TransformerEncoderLayer</c>: self-attention and a feed-forward block, each with a residual and a
/// LayerNorm, after it (post-norm, the default) or before it (pre-norm, normalize_before). The positional
/// embedding is added to queries and keys in every layer, not to the values. Children in the reference's
/// order: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
/// </summary>
public sealed class TransformerEncoderLayer : nn.Module
{
    readonly MultiheadAttention _selfAttn;
    readonly Linear _linear1, _linear2;
    readonly Dropout _dropout, _dropout1, _dropout2;
    readonly LayerNorm _norm1, _norm2;

    public TransformerEncoderLayer(long dModel, long nhead, long dimFeedforward = 2048, double dropout = 0.1,
        TransformerActivation activation = TransformerActivation.ReLU, bool normalizeBefore = false, Device? device = null)
        : base(nameof(TransformerEncoderLayer))
    {
        _selfAttn = register_module("self_attn", nn.MultiheadAttention(dModel, nhead, dropout, device: device));
        _linear1 = register_module("linear1", nn.Linear(dModel, dimFeedforward, device: device));
        _dropout = register_module("dropout", nn.Dropout(dropout));
        _linear2 = register_module("linear2", nn.Linear(dimFeedforward, dModel, device: device));
        _norm1 = register_module("norm1", nn.LayerNorm(dModel, device: device));
        _norm2 = register_module("norm2", nn.LayerNorm(dModel, device: device));
        _dropout1 = register_module("dropout1", nn.Dropout(dropout));
        _dropout2 = register_module("dropout2", nn.Dropout(dropout));
        Activation = activation;
        NormalizeBefore = normalizeBefore;
    }

    /// <summary>The feed-forward activation.</summary>
    public TransformerActivation Activation { get; }

    /// <summary>True for pre-norm.</summary>
    public bool NormalizeBefore { get; }

    /// <param name="src">[HW, batch, d_model]</param>
    /// <param name="srcMask">attention mask [HW, HW] or null</param>
    /// <param name="srcKeyPaddingMask">[batch, HW] bool, true on padding, or null</param>
    /// <param name="pos">[HW, batch, d_model] or null</param>
    /// <returns>[HW, batch, d_model]</returns>
    public Tensor forward(Tensor src, Tensor? srcMask = null, Tensor? srcKeyPaddingMask = null, Tensor? pos = null)
    {
        using var scope = torch.NewDisposeScope();
        var result = NormalizeBefore ? ForwardPre(src, srcMask, srcKeyPaddingMask, pos) : ForwardPost(src, srcMask, srcKeyPaddingMask, pos);
        return scope.MoveToOuter(result);
    }

    /// <summary>Same as <see cref="forward"/>.</summary>
    public Tensor call(Tensor src, Tensor? srcMask = null, Tensor? srcKeyPaddingMask = null, Tensor? pos = null)
        => forward(src, srcMask, srcKeyPaddingMask, pos);

    Tensor ForwardPost(Tensor src, Tensor? srcMask, Tensor? keyPaddingMask, Tensor? pos)
    {
        var qk = WithPos(src, pos);
        var src2 = _selfAttn.call(qk, qk, src, keyPaddingMask, need_weights: false, attn_mask: srcMask).output;
        src = _norm1.call(src + _dropout1.call(src2));
        src2 = FeedForward(src);
        return _norm2.call(src + _dropout2.call(src2));
    }

    Tensor ForwardPre(Tensor src, Tensor? srcMask, Tensor? keyPaddingMask, Tensor? pos)
    {
        var src2 = _norm1.call(src);
        var qk = WithPos(src2, pos);
        src2 = _selfAttn.call(qk, qk, src2, keyPaddingMask, need_weights: false, attn_mask: srcMask).output;
        src = src + _dropout1.call(src2);
        src2 = FeedForward(_norm2.call(src));
        return src + _dropout2.call(src2);
    }

    // linear2(dropout(activation(linear1(x))))
    Tensor FeedForward(Tensor x) => _linear2.call(_dropout.call(Activation.Apply(_linear1.call(x))));

    static Tensor WithPos(Tensor x, Tensor? pos) => pos is null ? x : x + pos;
}
