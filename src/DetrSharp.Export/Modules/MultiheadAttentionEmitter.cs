using DetrSharp.Export.Graph;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Modules;

/// <summary>
/// Emits torch.nn.MultiheadAttention (batch-first, no masks, inference): q, k, v from the rows of in_proj_weight /
/// in_proj_bias, split into heads, q scaled by 1/√head_dim, softmax(q·kᵀ)·v, heads merged, out_proj. Inputs may have
/// a batch of 1 where the others have B (they broadcast).
/// </summary>
public static class MultiheadAttentionEmitter
{
    /// <param name="query">[B, L, E]</param>
    /// <param name="key">[B, S, E]</param>
    /// <param name="value">[B, S, E]</param>
    /// <returns>[B, L, E]</returns>
    public static string Attention(OnnxGraph g, MultiheadAttention mha, string query, string key, string value)
    {
        if (!mha.batch_first) throw new NotSupportedException("ONNX export: MultiheadAttention must be batch_first");
        long e = mha.embed_dim, h = mha.num_heads, d = mha.head_dim;
        var w = TensorValues.Floats(mha.in_proj_weight);                 // [3E, E]
        var b = mha.in_proj_bias is { } bias ? TensorValues.Floats(bias) : null;
        string Project(string x, int part)
        {
            var wt = new float[e * e];                                   // [E, E] transposed rows part·E .. (part + 1)·E
            for (long r = 0; r < e; r++)
                for (long c = 0; c < e; c++) wt[c * e + r] = w[(part * e + r) * e + c];
            var y = g.Op("MatMul", [x, g.Weight("mha_w", wt, e, e)]);
            return b is null ? y : g.Add(y, g.Weight("mha_b", b.AsSpan((int)(part * e), (int)e).ToArray(), e));
        }
        var q = g.Transpose(g.Reshape(Project(query, 0), 0, 0, h, d), 0, 2, 1, 3);   // [B, H, L, D]
        q = g.Mul(q, g.FloatScalar((float)(1.0 / Math.Sqrt(d))));
        var kt = g.Transpose(g.Reshape(Project(key, 1), 0, 0, h, d), 0, 2, 3, 1);  // [B, H, D, S]
        var v = g.Transpose(g.Reshape(Project(value, 2), 0, 0, h, d), 0, 2, 1, 3);  // [B, H, S, D]
        var weights = g.Softmax(g.Op("MatMul", [q, kt]), -1);                         // [B, H, L, S]
        var attended = g.Op("MatMul", [weights, v]);                                  // [B, H, L, D]
        var merged = g.Reshape(g.Transpose(attended, 0, 2, 1, 3), 0, 0, e);           // [B, L, E]
        return LinearEmitter.Linear(g, mha.out_proj, merged);
    }
}
