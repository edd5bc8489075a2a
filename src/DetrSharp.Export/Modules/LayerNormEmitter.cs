using DetrSharp.Export.Graph;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Modules;

/// <summary>
/// Emits nn.LayerNorm over the last dim: ONNX LayerNormalization from opset 17; before it the same math as nodes
/// (mean, centred, biased variance, divided by √(var + eps), then the affine).
/// </summary>
public static class LayerNormEmitter
{
    /// <param name="x">[..., C]</param>
    /// <returns>[..., C]</returns>
    public static string Emit(OnnxGraph g, LayerNorm norm, string x)
    {
        if (norm.normalized_shape.Length != 1)
            throw new NotSupportedException($"ONNX export: a LayerNorm over {norm.normalized_shape.Length} dims (only the last one)");
        long c = norm.normalized_shape[0];
        var weight = norm.weight is { } w ? TensorValues.Floats(w) : Enumerable.Repeat(1f, (int)c).ToArray();
        var bias = norm.bias is { } b ? TensorValues.Floats(b) : new float[c];
        var scale = g.Weight("ln_w", weight, c);
        var shift = g.Weight("ln_b", bias, c);
        if (g.Opset >= 17)
            return g.Op("LayerNormalization", [x, scale, shift], Proto.AttributeProto.Int("axis", -1), Proto.AttributeProto.Float("epsilon", (float)norm.eps));
        var centred = g.Sub(x, g.ReduceMean(x, -1, keepDims: true));
        var variance = g.ReduceMean(g.Mul(centred, centred), -1, keepDims: true);
        var normed = g.Op("Div", [centred, g.Op("Sqrt", g.Add(variance, g.FloatScalar((float)norm.eps)))]);
        return g.Add(g.Mul(normed, scale), shift);
    }
}
