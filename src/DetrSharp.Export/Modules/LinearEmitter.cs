using DetrSharp.Export.Graph;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Modules;

/// <summary>
/// Emits nn.Linear as MatMul with the transposed weight (an initializer [in, out]) then Add of the bias: works on any
/// leading dims ([B, N, in] → [B, N, out]), unlike Gemm's 2-D inputs.
/// </summary>
public static class LinearEmitter
{
    /// <param name="x">[..., in_features]</param>
    /// <returns>[..., out_features]</returns>
    public static string Emit(OnnxGraph g, Linear linear, string x)
        => Emit(g, TensorValues.Floats(linear.weight), linear.bias is { } b ? TensorValues.Floats(b) : null, linear.out_features, linear.in_features, x);

    /// <summary>A linear map from raw weights (e.g. a slice of MultiheadAttention's in_proj_weight).</summary>
    /// <param name="weight">[outFeatures, inFeatures] row-major, as PyTorch stores it</param>
    /// <param name="bias">[outFeatures] or null</param>
    /// <param name="x">[..., inFeatures]</param>
    /// <returns>[..., outFeatures]</returns>
    public static string Emit(OnnxGraph g, float[] weight, float[]? bias, long outFeatures, long inFeatures, string x)
    {
        if (weight.Length != outFeatures * inFeatures)
            throw new ArgumentException($"ONNX export: a linear weight of {weight.Length} values for [{outFeatures}, {inFeatures}]", nameof(weight));
        var t = new float[weight.Length];                                      // [in, out]
        for (long o = 0; o < outFeatures; o++)
            for (long i = 0; i < inFeatures; i++) t[i * outFeatures + o] = weight[o * inFeatures + i];
        var y = g.Op("MatMul", [x, g.Weight("linear_w", t, inFeatures, outFeatures)]);
        return bias == null ? y : g.Add(y, g.Weight("linear_b", bias, outFeatures));
    }
}
