using DetrSharp.Detection.Models;
using DetrSharp.Export.Graph;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Modules;

/// <summary>
/// Emits fully connected layers on inputs of any rank [..., in]: MatMul with the transposed weight [in, out] stored as
/// an initializer, then Add of the bias (libtorch's linear: x · Wᵀ + b). DETR's <see cref="MLP"/> is its Linear layers
/// with Relu between them.
/// </summary>
public static class LinearEmitter
{
    /// <param name="x">[..., in_features]</param>
    /// <returns>[..., out_features]</returns>
    public static string Linear(OnnxGraph g, Linear linear, string x)
    {
        long o = linear.weight.shape[0], i = linear.weight.shape[1];
        var w = TensorValues.Floats(linear.weight);                       // [out, in]
        var wt = new float[w.Length];
        for (long r = 0; r < o; r++)
            for (long c = 0; c < i; c++) wt[c * o + r] = w[r * i + c];
        var y = g.Op("MatMul", [x, g.Weight("linear_w", wt, i, o)]);
        return linear.bias is { } b ? g.Add(y, g.Weight("linear_b", TensorValues.Floats(b), o)) : y;
    }

    /// <summary>An <see cref="MLP"/>: Linear, Relu, ..., Linear.</summary>
    public static string Mlp(OnnxGraph g, MLP mlp, string x)
    {
        var y = x;
        for (int l = 0; l < mlp.Layers.Count; l++)
        {
            y = Linear(g, mlp.Layers[l], y);
            if (l < mlp.Layers.Count - 1) y = g.Op("Relu", y);
        }
        return y;
    }
}
