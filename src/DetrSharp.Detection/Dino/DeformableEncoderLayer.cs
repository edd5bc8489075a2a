using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO's <c>DeformableTransformerEncoderLayer</c> (post-norm): deformable self-attention of every token over
/// every level around its own position, then a ReLU feed-forward. Children: <c>self_attn</c>, <c>norm1</c>,
/// <c>linear1</c>, <c>linear2</c>, <c>norm2</c>.
/// </summary>
public sealed class DeformableEncoderLayer : nn.Module
{
    readonly MSDeformAttn _selfAttn;
    readonly LayerNorm _norm1, _norm2;
    readonly Linear _linear1, _linear2;
    readonly double _dropout;

    public DeformableEncoderLayer(long dModel, long dFfn, double dropout, int nLevels, int nHeads, int nPoints, Device? device = null)
        : base(nameof(DeformableEncoderLayer))
    {
        _selfAttn = register_module("self_attn", new MSDeformAttn(dModel, nLevels, nHeads, nPoints, device));
        _norm1 = register_module("norm1", nn.LayerNorm(dModel, device: device));
        _linear1 = register_module("linear1", nn.Linear(dModel, dFfn, device: device));
        _linear2 = register_module("linear2", nn.Linear(dFfn, dModel, device: device));
        _norm2 = register_module("norm2", nn.LayerNorm(dModel, device: device));
        _dropout = dropout;
    }

    /// <summary>The deformable self-attention.</summary>
    public MSDeformAttn SelfAttn => _selfAttn;

    /// <param name="src">[N, S, C] tokens of every level</param>
    /// <param name="pos">[N, S, C] position + level embedding</param>
    /// <param name="referencePoints">[N, S, L, 2] each token's centre, per level (valid-ratio scaled)</param>
    /// <param name="shapes">the levels' (H, W)</param>
    /// <param name="paddingMask">[N, S] bool, true on padding</param>
    /// <returns>[N, S, C]</returns>
    public Tensor forward(Tensor src, Tensor pos, Tensor referencePoints, LevelShapes shapes, Tensor? paddingMask)
    {
        using var scope = torch.NewDisposeScope();
        var attended = _selfAttn.call(src.add(pos), referencePoints, src, shapes, paddingMask);   // [N, S, C]
        var x = _norm1.call(src.add(Drop(attended)));
        var ffn = _linear2.call(Drop(_linear1.call(x).relu_()));
        return scope.MoveToOuter(_norm2.call(x.add(Drop(ffn))));
    }

    Tensor Drop(Tensor x) => _dropout > 0 && training ? nn.functional.dropout(x, _dropout, true) : x;
}
