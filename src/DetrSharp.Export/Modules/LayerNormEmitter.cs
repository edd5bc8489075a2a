using DetrSharp.Export.Graph;
using DetrSharp.Export.Proto;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Modules;

/// <summary>
/// Emits a LayerNorm over the last dimension: ONNX LayerNormalization from opset 17; before it, the same function from
/// primitives (mean, centred square mean, divide by √(var + eps), scale and shift), as PyTorch exports it.
/// </summary>
public static class LayerNormEmitter
{
    /// <param name="x">[..., C]</param>
    /// <returns>[..., C]</returns>
    public static string LayerNorm(OnnxGraph g, LayerNorm norm, string x)
    {
        if (norm.normalized_shape.Length != 1)
            throw new NotSupportedException($"ONNX export: LayerNorm over {norm.normalized_shape.Length} dimensions (only the last one)");
        long c = norm.normalized_shape[0];
        var gamma = norm.weight is { } w ? TensorValues.Floats(w) : Enumerable.Repeat(1f, (int)c).ToArray();
        var beta = norm.bias is { } b ? TensorValues.Floats(b) : new float[c];
        var scale = g.Weight("ln_w", gamma, c);
        var shift = g.Weight("ln_b", beta, c);
        if (g.Opset >= 17)
            return g.Op("LayerNormalization", [x, scale, shift], AttributeProto.Int("axis", -1), AttributeProto.Float("epsilon", (float)norm.eps));
        var mean = g.Op("ReduceMean", x, AttributeProto.IntList("axes", -1), AttributeProto.Int("keepdims", 1));
        var d = g.Sub(x, mean);
        var variance = g.Op("ReduceMean", g.Mul(d, d), AttributeProto.IntList("axes", -1), AttributeProto.Int("keepdims", 1));
        var std = g.Op("Sqrt", g.Add(variance, g.FloatScalar((float)norm.eps)));
        return g.Add(g.Mul(g.Op("Div", [d, std]), scale), shift);
    }
}
