using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// The sampling core of multi-scale deformable attention, from libtorch ops so autograd differentiates it
/// (the reference's ms_deform_attn_core_pytorch): each level's values bilinearly sampled at grids 2·loc − 1
/// (zeros padding, align_corners=False), weighted by the attention weights and summed over levels × points.
/// </summary>
public static class MsDeformSampling
{
    /// <param name="value">[N, S, M, D] values per head, S = Σ H·W</param>
    /// <param name="shapes">the levels' (H, W)</param>
    /// <param name="locations">[N, Lq, M, L, P, 2] normalised (x, y) sampling locations</param>
    /// <param name="weights">[N, Lq, M, L, P] attention weights</param>
    /// <returns>[N, Lq, M·D]</returns>
    public static Tensor Sample(Tensor value, LevelShapes shapes, Tensor locations, Tensor weights)
    {
        using var scope = torch.NewDisposeScope();
        long n = value.size(0), m = value.size(2), d = value.size(3);
        long lq = locations.size(1), levels = locations.size(3), points = locations.size(4);
        var perLevel = value.split(shapes.Sizes, 1);                                        // L × [N, H·W, M, D]
        var grids = locations.mul(2).sub(1);                                                // [N, Lq, M, L, P, 2]
        var sampledLevels = new Tensor[levels];
        for (int l = 0; l < levels; l++)
        {
            var (h, w) = shapes[l];
            var valueL = perLevel[l].flatten(2).transpose(1, 2).reshape(n * m, d, h, w);   // [N·M, D, H, W]
            var gridL = grids.select(3, l).transpose(1, 2).flatten(0, 1);                   // [N·M, Lq, P, 2]
            sampledLevels[l] = nn.functional.grid_sample(valueL, gridL, GridSampleMode.Bilinear,
                GridSamplePaddingMode.Zeros, align_corners: false);                         // [N·M, D, Lq, P]
        }
        var stacked = torch.stack(sampledLevels, -2).flatten(-2);                           // [N·M, D, Lq, L·P]
        var w8 = weights.transpose(1, 2).reshape(n * m, 1, lq, levels * points);            // [N·M, 1, Lq, L·P]
        var output = stacked.mul(w8).sum(-1).view(n, m * d, lq);                            // [N, M·D, Lq]
        return scope.MoveToOuter(output.transpose(1, 2).contiguous());                       // [N, Lq, M·D]
    }
}
