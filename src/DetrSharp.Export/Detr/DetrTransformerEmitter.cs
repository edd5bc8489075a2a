using DetrSharp.Detection.Detr;
using DetrSharp.Export.Graph;
using DetrSharp.Export.Modules;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Detr;

/// <summary>
/// DETR's transformer as ONNX nodes, batch-first ([B, N, C]; the libtorch model is sequence-first, the math per element
/// is the same): encoder layers (self-attention with the positions on queries and keys, FFN), the optional final encoder
/// norm, then decoder layers from zero targets (self-attention with the query positions, cross-attention to the memory
/// with its positions on the keys, FFN) and the decoder's final norm; post-norm or pre-norm as the layers were built.
/// Every key is valid (an unpadded fixed-size input), so no attention masks.
/// </summary>
public static class DetrTransformerEmitter
{
    /// <param name="src">[B, HW, C] projected features</param>
    /// <param name="pos">[1, HW, C] their positions</param>
    /// <returns>memory [B, HW, C]</returns>
    public static string Encoder(OnnxGraph g, TransformerEncoder encoder, string src, string pos)
    {
        var x = src;
        foreach (var layer in encoder.Layers) x = EncoderLayer(g, layer, x, pos);
        return encoder.Norm is { } norm ? LayerNormEmitter.Emit(g, norm, x) : x;
    }

    /// <param name="memory">[B, HW, C]</param>
    /// <param name="pos">[1, HW, C]</param>
    /// <param name="queryPos">[1, Q, C] the learned query positions</param>
    /// <returns>the last layer's normalised output [B, Q, C] (hs[-1])</returns>
    public static string Decoder(OnnxGraph g, TransformerDecoder decoder, string memory, string pos, string queryPos, long queries, long dModel)
    {
        var x = g.Weight("tgt", new float[queries * dModel], 1, queries, dModel);                      // [1, Q, C] zeros
        var memoryKeys = g.Add(memory, pos);                                                        // [B, HW, C]
        foreach (var layer in decoder.Layers) x = DecoderLayer(g, layer, x, memory, memoryKeys, queryPos);
        return decoder.Norm is { } norm ? LayerNormEmitter.Emit(g, norm, x) : x;
    }

    static string EncoderLayer(OnnxGraph g, TransformerEncoderLayer layer, string src, string pos)
    {
        var attn = TensorValues.Child<MultiheadAttention>(layer, "self_attn");
        var norm1 = TensorValues.Child<LayerNorm>(layer, "norm1");
        var norm2 = TensorValues.Child<LayerNorm>(layer, "norm2");
        if (layer.NormalizeBefore)
        {
            var n = LayerNormEmitter.Emit(g, norm1, src);
            var qk = g.Add(n, pos);
            src = g.Add(src, MultiheadAttentionEmitter.Emit(g, attn, qk, qk, n));
            return g.Add(src, FeedForward(g, layer, layer.Activation, LayerNormEmitter.Emit(g, norm2, src)));
        }
        var qkPost = g.Add(src, pos);
        src = LayerNormEmitter.Emit(g, norm1, g.Add(src, MultiheadAttentionEmitter.Emit(g, attn, qkPost, qkPost, src)));
        return LayerNormEmitter.Emit(g, norm2, g.Add(src, FeedForward(g, layer, layer.Activation, src)));
    }

    static string DecoderLayer(OnnxGraph g, TransformerDecoderLayer layer, string tgt, string memory, string memoryKeys, string queryPos)
    {
        var selfAttn = TensorValues.Child<MultiheadAttention>(layer, "self_attn");
        var crossAttn = TensorValues.Child<MultiheadAttention>(layer, "multihead_attn");
        var norm1 = TensorValues.Child<LayerNorm>(layer, "norm1");
        var norm2 = TensorValues.Child<LayerNorm>(layer, "norm2");
        var norm3 = TensorValues.Child<LayerNorm>(layer, "norm3");
        if (layer.NormalizeBefore)
        {
            var n1 = LayerNormEmitter.Emit(g, norm1, tgt);
            var qk = g.Add(n1, queryPos);
            tgt = g.Add(tgt, MultiheadAttentionEmitter.Emit(g, selfAttn, qk, qk, n1));
            var n2 = LayerNormEmitter.Emit(g, norm2, tgt);
            tgt = g.Add(tgt, MultiheadAttentionEmitter.Emit(g, crossAttn, g.Add(n2, queryPos), memoryKeys, memory));
            return g.Add(tgt, FeedForward(g, layer, layer.Activation, LayerNormEmitter.Emit(g, norm3, tgt)));
        }
        var qkPost = g.Add(tgt, queryPos);
        tgt = LayerNormEmitter.Emit(g, norm1, g.Add(tgt, MultiheadAttentionEmitter.Emit(g, selfAttn, qkPost, qkPost, tgt)));
        tgt = LayerNormEmitter.Emit(g, norm2, g.Add(tgt, MultiheadAttentionEmitter.Emit(g, crossAttn, g.Add(tgt, queryPos), memoryKeys, memory)));
        return LayerNormEmitter.Emit(g, norm3, g.Add(tgt, FeedForward(g, layer, layer.Activation, tgt)));
    }

    // linear2(activation(linear1(x))) (dropout is the identity in eval)
    static string FeedForward(OnnxGraph g, Torch.nn.Module layer, TransformerActivation activation, string x)
    {
        var hidden = LinearEmitter.Emit(g, TensorValues.Child<Linear>(layer, "linear1"), x);
        var activated = activation switch
        {
            TransformerActivation.ReLU => g.Op("Relu", hidden),
            // exact gelu: x · (1 + erf(x / √2)) / 2
            TransformerActivation.GELU => g.Mul(g.Mul(hidden, g.Add(g.Op("Erf", g.Mul(hidden, g.FloatScalar((float)(1 / Math.Sqrt(2))))), g.FloatScalar(1f))), g.FloatScalar(0.5f)),
            _ => throw new NotSupportedException($"ONNX export: the transformer activation {activation}"),
        };
        return LinearEmitter.Emit(g, TensorValues.Child<Linear>(layer, "linear2"), activated);
    }
}
