using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Models;
using DetrSharp.Export.Graph;
using DetrSharp.Export.Modules;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Dino;

/// <summary>
/// Emits DINO's transformer layers (post-norm, inference): the deformable encoder layer, the decoder layer (self-attention,
/// deformable cross-attention, feed-forward), the query's sine embedding and inverse_sigmoid.
/// </summary>
public static class DinoLayerEmitter
{
    /// <summary><see cref="DeformableEncoderLayer"/>: deformable self-attention around each token's centre, norm1, FFN, norm2.</summary>
    /// <param name="src">[B, S, C]</param>
    /// <param name="pos">[1, S, C] position + level embedding</param>
    /// <param name="points">[1, S, L, 2] reference points</param>
    public static string Encoder(OnnxGraph g, DeformableEncoderLayer layer, string src, string pos, string points, LevelShapes shapes)
    {
        var attended = MsDeformAttnEmitter.WithPoints(g, layer.SelfAttn, g.Add(src, pos), shapes.Total, points, src, shapes);
        var x = LayerNormEmitter.Emit(g, TensorValues.Child<LayerNorm>(layer, "norm1"), g.Add(src, attended));
        return LayerNormEmitter.Emit(g, TensorValues.Child<LayerNorm>(layer, "norm2"), g.Add(x, Ffn(g, layer, x)));
    }

    /// <summary><see cref="DeformableDecoderLayer"/> without a dn mask: self-attention (q = k = tgt + pos), norm2, deformable cross-attention, norm1, FFN, norm3.</summary>
    /// <param name="tgt">[1 or B, Q, C]</param>
    /// <param name="queryPos">[B, Q, C]</param>
    /// <param name="boxes">[B, Q, 4] the queries' reference boxes (sigmoid cxcywh)</param>
    /// <param name="memory">[B, S, C]</param>
    public static string Decoder(OnnxGraph g, DeformableDecoderLayer layer, string tgt, string queryPos, string boxes, long queries, string memory, LevelShapes shapes)
    {
        var qk = g.Add(tgt, queryPos);
        var sa = MultiheadAttentionEmitter.Emit(g, TensorValues.Child<MultiheadAttention>(layer, "self_attn"), qk, qk, tgt);
        var x = LayerNormEmitter.Emit(g, TensorValues.Child<LayerNorm>(layer, "norm2"), g.Add(tgt, sa));
        var ca = MsDeformAttnEmitter.WithBoxes(g, layer.CrossAttn, g.Add(x, queryPos), queries, boxes, memory, shapes);
        x = LayerNormEmitter.Emit(g, TensorValues.Child<LayerNorm>(layer, "norm1"), g.Add(x, ca));
        return LayerNormEmitter.Emit(g, TensorValues.Child<LayerNorm>(layer, "norm3"), g.Add(x, Ffn(g, layer, x)));
    }

    static string Ffn(OnnxGraph g, nn.Module layer, string x)
        => LinearEmitter.Emit(g, TensorValues.Child<Linear>(layer, "linear2"), g.Op("Relu", LinearEmitter.Emit(g, TensorValues.Child<Linear>(layer, "linear1"), x)));

    /// <summary><see cref="AnchorMath.SineEmbedding"/> of boxes: 2π·box / divisors, sines of the even features and cosines of the odd ones interleaved, coordinates in the order y, x, w, h.</summary>
    /// <param name="boxes">[B, Q, 4]</param>
    /// <param name="divisors">the F divisors (see <see cref="DinoExportConstants.SineDivisors"/>)</param>
    /// <returns>[B, Q, 4·F]</returns>
    public static string SineEmbedding(OnnxGraph g, string boxes, long queries, float[] divisors)
    {
        long f = divisors.Length;
        var p = g.Op("Div", [g.Unsqueeze(g.Mul(boxes, g.FloatScalar((float)(2 * Math.PI))), -1), g.Weight("sine_dim_t", divisors, f)]); // [B, Q, 4, F]
        var pairs = g.Split(g.Reshape(p, 0, queries, 4, f / 2, 2), -1, 1, 1);                           // 2 × [B, Q, 4, F/2, 1]
        var interleaved = g.Reshape(g.Concat(-1, g.Op("Sin", pairs[0]), g.Op("Cos", pairs[1])), 0, queries, 4, f); // [B, Q, 4, F]
        var yxwh = g.Op("Gather", [interleaved, g.Ints(1, 0, 2, 3)], Proto.AttributeProto.Int("axis", 2));
        return g.Reshape(yxwh, 0, queries, 4 * f);
    }

    /// <summary><see cref="AnchorMath.InverseSigmoid"/>: log(max(x, eps) / max(1 − x, eps)) of x clamped to [0, 1].</summary>
    public static string InverseSigmoid(OnnxGraph g, string x, float eps = 1e-3f)
    {
        var clamped = g.Op("Clip", [x, g.FloatScalar(0f), g.FloatScalar(1f)]);
        var x1 = g.Op("Max", [clamped, g.FloatScalar(eps)]);
        var x2 = g.Op("Max", [g.Sub(g.FloatScalar(1f), clamped), g.FloatScalar(eps)]);
        return g.Op("Log", g.Op("Div", [x1, x2]));
    }
}
