using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO's <c>DeformableTransformerDecoderLayer</c> with module_seq sa, ca, ffn (post-norm): self-attention among
/// the queries (content + query position; the dn attention mask blocks what it must), deformable cross-attention
/// into the encoder memory around each query's box, then a ReLU feed-forward. Children in the reference's order:
/// <c>cross_attn</c>, <c>norm1</c>, <c>self_attn</c>, <c>norm2</c>, <c>linear1</c>, <c>linear2</c>, <c>norm3</c>.
/// </summary>
public sealed class DeformableDecoderLayer : nn.Module
{
    readonly MSDeformAttn _crossAttn;
    readonly MultiheadAttention _selfAttn;
    readonly LayerNorm _norm1, _norm2, _norm3;
    readonly Linear _linear1, _linear2;
    readonly double _dropout;

    public DeformableDecoderLayer(long dModel, long dFfn, double dropout, int nLevels, int nHeads, int nPoints, Device? device = null)
        : base(nameof(DeformableDecoderLayer))
    {
        _crossAttn = register_module("cross_attn", new MSDeformAttn(dModel, nLevels, nHeads, nPoints, device));
        _norm1 = register_module("norm1", nn.LayerNorm(dModel, device: device));
        _selfAttn = register_module("self_attn", nn.MultiheadAttention(dModel, nHeads, dropout, batch_first: true, device: device));
        _norm2 = register_module("norm2", nn.LayerNorm(dModel, device: device));
        _linear1 = register_module("linear1", nn.Linear(dModel, dFfn, device: device));
        _linear2 = register_module("linear2", nn.Linear(dFfn, dModel, device: device));
        _norm3 = register_module("norm3", nn.LayerNorm(dModel, device: device));
        _dropout = dropout;
    }

    /// <summary>The deformable cross-attention.</summary>
    public MSDeformAttn CrossAttn => _crossAttn;

    /// <param name="tgt">[N, Q, C] query content</param>
    /// <param name="queryPos">[N, Q, C] query position (ref_point_head of the box's sine embedding)</param>
    /// <param name="referencePoints">[N, Q, L, 4] each query's box seen from every level</param>
    /// <param name="memory">[N, S, C] encoder output</param>
    /// <param name="memoryPaddingMask">[N, S] bool, true on padding</param>
    /// <param name="shapes">the levels' (H, W)</param>
    /// <param name="selfAttnMask">[Q, Q] bool, true where a query may not look (dn groups), or null</param>
    /// <returns>[N, Q, C]</returns>
    public Tensor forward(Tensor tgt, Tensor queryPos, Tensor referencePoints, Tensor memory, Tensor memoryPaddingMask, LevelShapes shapes,
        Tensor? selfAttnMask)
    {
        using var scope = torch.NewDisposeScope();
        // self-attention: q = k = content + position, v = content
        var qk = tgt.add(queryPos);
        var (sa, _) = _selfAttn.call(qk, qk, tgt, need_weights: false, attn_mask: selfAttnMask);   // [N, Q, C]
        var x = _norm2.call(tgt.add(Drop(sa)));
        // deformable cross-attention into the memory
        var ca = _crossAttn.call(x.add(queryPos), referencePoints, memory, shapes, memoryPaddingMask);  // [N, Q, C]
        x = _norm1.call(x.add(Drop(ca)));
        // feed-forward
        var ffn = _linear2.call(Drop(_linear1.call(x).relu_()));
        return scope.MoveToOuter(_norm3.call(x.add(Drop(ffn))));
    }

    Tensor Drop(Tensor x) => _dropout > 0 && training ? nn.functional.dropout(x, _dropout, true) : x;
}
