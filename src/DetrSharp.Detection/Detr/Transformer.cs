using DetrSharp.Torch;

using DetrSharp.Detection.Models;

namespace DetrSharp.Detection.Detr;

/// <summary>
/// DETR's <c>Transformer</c>: an encoder over the flattened feature map and a decoder from zero targets with
/// learned query positions. Children <c>encoder</c> (with a final <c>norm</c> only in pre-norm) and
/// <c>decoder</c> (always with <c>norm</c>); every parameter with more than one dim is Xavier-uniform
/// initialised (<c>_reset_parameters</c>).
/// </summary>
public sealed class Transformer : nn.Module
{
    readonly TransformerEncoder _encoder;
    readonly TransformerDecoder _decoder;

    /// <param name="dModel">width of the embeddings (hidden_dim)</param>
    /// <param name="nhead">attention heads</param>
    /// <param name="numEncoderLayers">encoder layers (may be 0)</param>
    /// <param name="numDecoderLayers">decoder layers (at least 1)</param>
    /// <param name="dimFeedforward">hidden width of the feed-forward blocks</param>
    /// <param name="dropout">dropout in attention, feed-forward and residuals</param>
    /// <param name="activation">feed-forward activation</param>
    /// <param name="normalizeBefore">pre-norm layers (and a final encoder norm)</param>
    /// <param name="returnIntermediateDec">return every decoder layer's output (DETR builds with true)</param>
    /// <param name="anchorBoxes">give the decoder DAB-DETR's ref_point_head, for <see cref="ForwardAnchored"/></param>
    public Transformer(long dModel = 512, long nhead = 8, int numEncoderLayers = 6, int numDecoderLayers = 6, long dimFeedforward = 2048,
        double dropout = 0.1, TransformerActivation activation = TransformerActivation.ReLU, bool normalizeBefore = false,
        bool returnIntermediateDec = false, Device? device = null, bool anchorBoxes = false) : base(nameof(Transformer))
    {
        if (dModel <= 0 || nhead <= 0 || dModel % nhead != 0)
            throw new ArgumentException($"Transformer: d_model ({dModel}) must be a positive multiple of nhead ({nhead})", nameof(nhead));
        if (numEncoderLayers < 0) throw new ArgumentOutOfRangeException(nameof(numEncoderLayers), numEncoderLayers, "Transformer: encoder layers must be ≥ 0");
        if (numDecoderLayers < 1) throw new ArgumentOutOfRangeException(nameof(numDecoderLayers), numDecoderLayers, "Transformer: decoder layers must be ≥ 1");
        var encoderLayers = Enumerable.Range(0, numEncoderLayers)
            .Select(_ => new TransformerEncoderLayer(dModel, nhead, dimFeedforward, dropout, activation, normalizeBefore, device)).ToList();
        _encoder = register_module("encoder", new TransformerEncoder(encoderLayers, normalizeBefore ? nn.LayerNorm(dModel, device: device) : null));
        var decoderLayers = Enumerable.Range(0, numDecoderLayers)
            .Select(_ => new TransformerDecoderLayer(dModel, nhead, dimFeedforward, dropout, activation, normalizeBefore, device)).ToList();
        var refPointHead = anchorBoxes ? new MLP(2 * dModel, dModel, dModel, 2, device) : null;
        _decoder = register_module("decoder", new TransformerDecoder(decoderLayers, nn.LayerNorm(dModel, device: device), returnIntermediateDec, refPointHead));
        DModel = dModel;
        NHead = nhead;
        ResetParameters();
    }

    /// <summary>Width of the embeddings.</summary>
    public long DModel { get; }

    /// <summary>Attention heads.</summary>
    public long NHead { get; }

    /// <summary>The encoder.</summary>
    public TransformerEncoder Encoder => _encoder;

    /// <summary>The decoder.</summary>
    public TransformerDecoder Decoder => _decoder;

    /// <summary>xavier_uniform_ on every parameter with more than one dim (the reference's _reset_parameters).</summary>
    public void ResetParameters()
    {
        foreach (var p in parameters())
            if (p.dim() > 1) nn.init.xavier_uniform_(p);
    }

    /// <param name="src">projected features [batch, d_model, h, w]</param>
    /// <param name="mask">[batch, h, w] bool, true on padding</param>
    /// <param name="queryEmbed">query positions [queries, d_model]</param>
    /// <param name="posEmbed">[batch, d_model, h, w]</param>
    /// <returns>hs [dec_layers (or 1), batch, queries, d_model] and memory [batch, d_model, h, w]</returns>
    public (Tensor hs, Tensor memory) forward(Tensor src, Tensor mask, Tensor queryEmbed, Tensor posEmbed)
    {
        var qs = queryEmbed.shape;
        if (qs.Length != 2 || qs[1] != DModel)
            throw new ArgumentException($"Transformer: query_embed must be [queries, {DModel}], got {ShapeText.Format(qs)}", nameof(queryEmbed));

        CheckInputs(src, mask, posEmbed);
        long bs = src.size(0), c = src.size(1), h = src.size(2), w = src.size(3);
        using var scope = torch.NewDisposeScope();
        var (memory, keyPadding, posSeq) = Encode(src, mask, posEmbed);
        var queryPos = queryEmbed.unsqueeze(1).repeat(1, bs, 1);       // [Q, B, C]
        var tgt = torch.zeros_like(queryPos);                          // [Q, B, C]
        var hs = _decoder.call(tgt, memory, memoryKeyPaddingMask: keyPadding, pos: posSeq, queryPos: queryPos); // [L, Q, B, C]
        var hsOut = hs.transpose(1, 2);                                // [L, B, Q, C]
        var memoryOut = memory.permute(1, 2, 0).view(bs, c, h, w);     // [B, C, h, w]
        return (scope.MoveToOuter(hsOut), scope.MoveToOuter(memoryOut));
    }

    /// <summary>
    /// DETR's encoder, then DAB-DETR's anchor-box decoding (<see cref="TransformerDecoder.ForwardAnchored"/>) from
    /// zero content queries: each query starts from its own box and the box head refines it layer by layer.
    /// </summary>
    /// <param name="src">projected features [batch, d_model, h, w]</param>
    /// <param name="mask">[batch, h, w] bool, true on padding</param>
    /// <param name="anchors">[queries, 4] starting boxes, normalised cxcywh in (0, 1)</param>
    /// <param name="posEmbed">[batch, d_model, h, w]</param>
    /// <param name="boxDelta">the box head: [.., d_model] → [.., 4] offsets in logit space</param>
    /// <returns>hs [dec_layers, batch, queries, d_model], boxes [dec_layers, batch, queries, 4]</returns>
    public (Tensor hs, Tensor boxes) ForwardAnchored(Tensor src, Tensor mask, Tensor anchors, Tensor posEmbed, Func<Tensor, Tensor> boxDelta)
    {
        if (anchors.dim() != 2 || anchors.size(1) != 4)
            throw new ArgumentException($"Transformer: anchors must be [queries, 4], got {ShapeText.Format(anchors)}", nameof(anchors));
        CheckInputs(src, mask, posEmbed);
        long bs = src.size(0);
        using var scope = torch.NewDisposeScope();
        var (memory, keyPadding, posSeq) = Encode(src, mask, posEmbed);
        var refs = anchors.unsqueeze(1).repeat(1, bs, 1);              // [Q, B, 4]
        var tgt = torch.zeros(new[] { anchors.size(0), bs, DModel }, src.dtype, src.device); // [Q, B, C]
        var (hs, boxes) = _decoder.ForwardAnchored(tgt, memory, refs, boxDelta, keyPadding, posSeq); // [L, Q, B, C], [L, Q, B, 4]
        return (scope.MoveToOuter(hs.transpose(1, 2)), scope.MoveToOuter(boxes.transpose(1, 2)));
    }

    void CheckInputs(Tensor src, Tensor mask, Tensor posEmbed)
    {
        var s = src.shape;
        if (s.Length != 4 || s[1] != DModel)
            throw new ArgumentException($"Transformer: src must be [batch, {DModel}, h, w], got {ShapeText.Format(s)}", nameof(src));
        long bs = s[0], h = s[2], w = s[3];
        var ms = mask.shape;
        if (ms.Length != 3 || ms[0] != bs || ms[1] != h || ms[2] != w || mask.dtype != ScalarType.Bool)
            throw new ArgumentException($"Transformer: mask must be bool [{bs}, {h}, {w}], got {mask.dtype.Name()} {ShapeText.Format(ms)}", nameof(mask));
        if (!posEmbed.shape.SequenceEqual(s))
            throw new ArgumentException($"Transformer: pos_embed must have src's shape {ShapeText.Format(s)}, got {ShapeText.Format(posEmbed)}", nameof(posEmbed));
    }

    /// <returns>memory [HW, B, C], key padding mask [B, HW], positions [HW, B, C]</returns>
    (Tensor memory, Tensor keyPadding, Tensor posSeq) Encode(Tensor src, Tensor mask, Tensor posEmbed)
    {
        var srcSeq = src.flatten(2).permute(2, 0, 1);                  // [HW, B, C]
        var posSeq = posEmbed.flatten(2).permute(2, 0, 1);             // [HW, B, C]
        var keyPadding = mask.flatten(1);                              // [B, HW]
        var memory = _encoder.call(srcSeq, null, keyPadding, posSeq);  // [HW, B, C]
        return (memory, keyPadding, posSeq);
    }

    /// <summary>Same as <see cref="forward"/>.</summary>
    public (Tensor hs, Tensor memory) call(Tensor src, Tensor mask, Tensor queryEmbed, Tensor posEmbed)
        => forward(src, mask, queryEmbed, posEmbed);
}
