using DetrSharp.Export.Graph;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Modules;

/// <summary>
/// Emits nn.MultiheadAttention without masks (every key valid) with the libtorch module's math: q, k, v projected by the
/// rows of in_proj_weight, q scaled by 1/√head_dim, softmax(q kᵀ) over the keys per head, times v, heads merged and
/// out_proj. The emitted graph is batch-first ([B, L, E]) whatever the module's batch_first; a query, key or value with
/// batch 1 broadcasts against the others' batch (DETR's first decoder layer, whose queries do not depend on the image).
/// </summary>
public static class MultiheadAttentionEmitter
{
    /// <param name="query">[B, L, E]</param>
    /// <param name="key">[B, S, E]</param>
    /// <param name="value">[B, S, E]</param>
    /// <returns>[B, L, E]</returns>
    public static string Emit(OnnxGraph g, MultiheadAttention attn, string query, string key, string value)
    {
        long e = attn.embed_dim, h = attn.num_heads, d = attn.head_dim;
        var w = TensorValues.Floats(attn.in_proj_weight);                      // [3E, E]
        var b = attn.in_proj_bias is { } ib ? TensorValues.Floats(ib) : null;  // [3E]
        float[] Rows(float[] all, int part, long width) => all.AsSpan((int)(part * e * width), (int)(e * width)).ToArray();
        string Project(string x, int part) => LinearEmitter.Emit(g, Rows(w, part, e), b == null ? null : Rows(b, part, 1), e, e, x);

        var q = g.Mul(Project(query, 0), g.FloatScalar((float)(1.0 / Math.Sqrt(d))));   // [B, L, E]
        var k = Project(key, 1);                                                          // [B, S, E]
        var v = Project(value, 2);                                                        // [B, S, E]
        var qh = g.Transpose(g.Reshape(q, 0, 0, h, d), 0, 2, 1, 3);                       // [B, H, L, D]
        var kt = g.Transpose(g.Reshape(k, 0, 0, h, d), 0, 2, 3, 1);                       // [B, H, D, S]
        var vh = g.Transpose(g.Reshape(v, 0, 0, h, d), 0, 2, 1, 3);                       // [B, H, S, D]
        var weights = g.Softmax(g.Op("MatMul", [qh, kt]), -1);                            // [B, H, L, S]
        var attended = g.Op("MatMul", [weights, vh]);                                      // [B, H, L, D]
        var merged = g.Reshape(g.Transpose(attended, 0, 2, 1, 3), 0, 0, e);               // [B, L, E]
        return LinearEmitter.Emit(g, attn.out_proj, merged);
    }
}
