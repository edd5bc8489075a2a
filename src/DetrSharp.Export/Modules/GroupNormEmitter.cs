using DetrSharp.Export.Graph;
using DetrSharp.Export.Proto;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Modules;

/// <summary>
/// Emits a GroupNorm on [B, C, H, W] for every opset (GroupNormalization is only in opset 18 and changed in 21): the
/// input reshaped to [B, G, C/G · H · W], InstanceNormalization of each group (unit scale, zero shift), reshaped back,
/// then the per-channel affine.
/// </summary>
public static class GroupNormEmitter
{
    /// <param name="x">[B, C, H, W]</param>
    /// <returns>[B, C, H, W]</returns>
    public static string Emit(OnnxGraph g, GroupNorm norm, string x, long channels, long height, long width)
    {
        long groups = norm.num_groups;
        if (channels != norm.num_channels) throw new NotSupportedException($"ONNX export: a GroupNorm of {norm.num_channels} channels on {channels}");
        var grouped = g.Reshape(x, 0, groups, channels / groups * height * width);       // [B, G, C/G·H·W]
        var normed = g.Op("InstanceNormalization",
            [grouped, g.Weight("gn_ones", Enumerable.Repeat(1f, (int)groups).ToArray(), groups), g.Weight("gn_zeros", new float[groups], groups)],
            AttributeProto.Float("epsilon", (float)norm.eps));
        var y = g.Reshape(normed, 0, channels, height, width);                              // [B, C, H, W]
        if (!norm.affine) return y;
        var gamma = g.Weight("gn_w", TensorValues.Floats(norm.weight!), channels, 1, 1);
        var beta = g.Weight("gn_b", TensorValues.Floats(norm.bias!), channels, 1, 1);
        return g.Add(g.Mul(y, gamma), beta);
    }
}
