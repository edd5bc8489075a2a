using DetrSharp.Detection.Models;
using DetrSharp.Torch;

namespace DetrSharp.Export.Modules;

/// <summary>
/// The position encodings of a fixed-size export, computed by the model's own <see cref="Joiner"/> (sine or learned) for
/// an all-valid padding mask: they depend only on the mask and the feature map's size, so each level's encoding is a
/// constant of the graph.
/// </summary>
public static class PositionEmbeddingConstant
{
    /// <summary>One kept backbone level: its feature map size and channels, and its encoding flattened batch-first.</summary>
    /// <param name="Sequence">[h · w, D] row-major: position (y, x) at row y · w + x</param>
    public sealed record Level(long Height, long Width, long Channels, float[] Sequence, long Dim);

    /// <summary>Runs the joiner on a zero image of <paramref name="height"/> × <paramref name="width"/> without padding.</summary>
    public static IReadOnlyList<Level> Levels(Joiner joiner, long height, long width)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var images = torch.zeros(new long[] { 1, 3, height, width });                  // [1, 3, H, W]
        var mask = torch.zeros(new long[] { 1, height, width }, ScalarType.Bool);      // [1, H, W], nothing padded
        using var samples = new NestedTensor(images, mask);
        var (features, pos) = joiner.call(samples);
        var levels = new List<Level>(features.Length);
        for (int i = 0; i < features.Length; i++)
        {
            var f = features[i].Tensors.shape;                                         // [1, C, h, w]
            var p = pos[i];                                                            // [1, D, h, w]
            var seq = p.flatten(2).permute(0, 2, 1).contiguous();                       // [1, hw, D]
            levels.Add(new Level(f[2], f[3], f[1], TensorValues.Floats(seq), p.shape[1]));
        }
        foreach (var n in features) n.Dispose();
        return levels;
    }
}
