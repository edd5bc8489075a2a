using DetrSharp.Detection.Yolo;
using DetrSharp.Export.Graph;
using DetrSharp.Torch.Modules;
using static DetrSharp.Export.Modules.TensorValues;

namespace DetrSharp.Export.Yolo;

/// <summary>YOLOv10's PSA and its Attention as ONNX nodes (Reshape/Split/MatMul/Softmax), as their forwards.</summary>
public static class PsaEmitter
{
    /// <summary>cv1 → halves a, b; b += attn(b); b += ffn(b); cv2(cat(a, b)).</summary>
    public static string Psa(OnnxGraph g, PSA p, string x)
    {
        var y = YoloBlockEmitter.Emit(g, Child<Conv>(p, "cv1"), x);
        var ab = g.Split(y, 1, p.C, p.C);                                        // 2 × [B, c, H, W]
        var b1 = g.Add(ab[1], Attention(g, Child<Attention>(p, "attn"), ab[1]));
        var b2 = g.Add(b1, YoloBlockEmitter.Emit(g, Child<Sequential>(p, "ffn"), b1));
        return YoloBlockEmitter.Emit(g, Child<Conv>(p, "cv2"), g.Concat(1, ab[0], b2));
    }

    /// <summary>qkv per head, softmax(qᵀk · scale), v · attnᵀ, plus the positional conv of v, then proj.</summary>
    /// <param name="x">[B, dim, H, W]; the outputs reshape back to its shape</param>
    public static string Attention(OnnxGraph g, Attention a, string x)
    {
        var shape = g.Op("Shape", x);                                             // [B, dim, H, W]
        var qkv = YoloBlockEmitter.Emit(g, Child<Conv>(a, "qkv"), x);
        var heads = g.Reshape(qkv, 0, a.NumHeads, 2 * a.KeyDim + a.HeadDim, -1);  // [B, heads, 2 key + head, N]
        var parts = g.Split(heads, 2, a.KeyDim, a.KeyDim, a.HeadDim);
        var (q, k, v) = (parts[0], parts[1], parts[2]);
        var logits = g.Op("MatMul", [g.Transpose(q, 0, 1, 3, 2), k]);             // [B, heads, N, N]
        var attn = g.Softmax(g.Mul(logits, g.FloatScalar((float)a.Scale)), -1);
        var mixed = g.Op("MatMul", [v, g.Transpose(attn, 0, 1, 3, 2)]);           // [B, heads, head, N]
        var mixedMap = g.Op("Reshape", [mixed, shape]);                           // [B, dim, H, W]
        var vMap = g.Op("Reshape", [v, shape]);
        var pe = YoloBlockEmitter.Emit(g, Child<Conv>(a, "pe"), vMap);
        return YoloBlockEmitter.Emit(g, Child<Conv>(a, "proj"), g.Add(mixedMap, pe));
    }
}
