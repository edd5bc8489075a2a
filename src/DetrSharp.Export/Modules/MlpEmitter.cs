using DetrSharp.Detection.Models;
using DetrSharp.Export.Graph;

namespace DetrSharp.Export.Modules;

/// <summary>Emits DETR's <see cref="MLP"/>: its Linear layers with ReLU between them and none after the last.</summary>
public static class MlpEmitter
{
    /// <param name="x">[..., input_dim]</param>
    /// <returns>[..., output_dim]</returns>
    public static string Emit(OnnxGraph g, MLP mlp, string x)
    {
        for (int i = 0; i < mlp.Layers.Count; i++)
        {
            x = LinearEmitter.Emit(g, mlp.Layers[i], x);
            if (i < mlp.Layers.Count - 1) x = g.Op("Relu", x);
        }
        return x;
    }
}
