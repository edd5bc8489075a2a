using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>How <see cref="MsDeformSampling"/> reads the levels.</summary>
public enum MsDeformSamplingMode
{
    /// <summary>One grid_sample over all levels laid out on one zero-separated canvas (fewer, larger ops; measured slower
    /// than per level here: 372 vs 237 ms for DINO-4scale's forward + backward, `bench dino`, 2026-12-04).</summary>
    Stacked,
    /// <summary>One grid_sample per level, as the reference's ms_deform_attn_core_pytorch (the default: measured faster).</summary>
    PerLevel,
}

/// <summary>
/// The sampling core of multi-scale deformable attention, from libtorch ops so autograd differentiates it: each
/// level's values bilinearly sampled at its locations (zeros outside the map, align_corners=False), weighted by
/// the attention weights and summed over levels × points — what the reference's ms_deform_attn_core_pytorch
/// computes with grids 2·loc − 1.
/// </summary>
public static class MsDeformSampling
{
    /// <param name="value">[N, S, M, D] values per head, S = Σ H·W</param>
    /// <param name="shapes">the levels' (H, W)</param>
    /// <param name="locations">[N, Lq, M, L, P, 2] normalised (x, y) sampling locations</param>
    /// <param name="weights">[N, Lq, M, L, P] attention weights</param>
    /// <returns>[N, Lq, M·D]</returns>
    public static Tensor Sample(Tensor value, LevelShapes shapes, Tensor locations, Tensor weights, MsDeformSamplingMode mode = MsDeformSamplingMode.PerLevel)
        => mode == MsDeformSamplingMode.PerLevel || shapes.Count == 1
            ? PerLevel(value, shapes, locations, weights)
            : Stacked(value, shapes, locations, weights);

    /// <summary>The reference's loop: one grid_sample per level, stacked.</summary>
    static Tensor PerLevel(Tensor value, LevelShapes shapes, Tensor locations, Tensor weights)
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
        return scope.MoveToOuter(WeightedSum(stacked, weights, n, m, d, lq, levels * points));
    }

    /// <summary>
    /// All levels on one canvas, top to bottom with a zero row between them and zero columns right of the narrower
    /// ones, read by one grid_sample. A location whose bilinear footprint lies wholly outside its level (pixel
    /// coordinate ≤ −1 or ≥ the level's size) would read a neighbour on the canvas, so its weight is zeroed — the
    /// reference reads zeros there, so output and gradients agree; any footprint that overlaps the level reads
    /// only its own pixels or zeros.
    /// </summary>
    static Tensor Stacked(Tensor value, LevelShapes shapes, Tensor locations, Tensor weights)
    {
        using var scope = torch.NewDisposeScope();
        long n = value.size(0), m = value.size(2), d = value.size(3);
        long lq = locations.size(1), levels = locations.size(3), points = locations.size(4);
        long canvasW = Enumerable.Range(0, shapes.Count).Max(l => shapes[l].W);
        long canvasH = Enumerable.Range(0, shapes.Count).Sum(l => shapes[l].H) + shapes.Count - 1;
        // one copy of the values into a zero canvas; autograd routes each block's gradient back to its slice
        var byChannel = value.permute(0, 2, 3, 1);                                         // [N, M, D, S] (a view)
        var canvas = torch.zeros(new long[] { n, m, d, canvasH, canvasW }, value.dtype, value.device); // [N, M, D, Hc, Wc]
        var scale = new float[levels * 2];
        var shift = new float[levels * 2];
        var size = new float[levels * 2];
        var starts = shapes.StartIndex;
        long row = 0;
        for (int l = 0; l < levels; l++)
        {
            var (h, w) = shapes[l];
            var block = byChannel.narrow(3, starts[l], h * w).unflatten(3, h, w);         // [N, M, D, H, W] (a view)
            canvas.narrow(3, row, h).narrow(4, 0, w).copy_(block);
            // canvas grid = loc · scale + shift: x = loc_x·W_l pixels; y = loc_y·H_l + row offset
            scale[2 * l] = (float)(2.0 * w / canvasW);
            scale[2 * l + 1] = (float)(2.0 * h / canvasH);
            shift[2 * l] = -1f;
            shift[2 * l + 1] = (float)(2.0 * row / canvasH - 1);
            size[2 * l] = w;
            size[2 * l + 1] = h;
            row += h + 1;
        }
        canvas = canvas.view(n * m, d, canvasH, canvasW);                                   // [N·M, D, Hc, Wc]
        var device = locations.device;
        var scaleT = torch.tensor(scale, new long[] { levels, 1, 2 }, device: device);      // [L, 1, 2]
        var shiftT = torch.tensor(shift, new long[] { levels, 1, 2 }, device: device);
        var sizeT = torch.tensor(size, new long[] { levels, 1, 2 }, device: device);
        var grid = locations.mul(scaleT).add(shiftT)                                        // [N, Lq, M, L, P, 2]
            .transpose(1, 2).reshape(n * m, lq, levels * points, 2);                        // [N·M, Lq, L·P, 2]
        Tensor inside;                                                                      // [N, Lq, M, L, P]
        using (torch.no_grad())
        {
            var pixels = locations.mul(sizeT);                                              // loc · size = pixel + 0.5
            inside = pixels.gt(-0.5).logical_and(pixels.lt(sizeT.add(0.5))).all(-1).to(weights.dtype);
        }
        var sampled = nn.functional.grid_sample(canvas, grid, GridSampleMode.Bilinear,
            GridSamplePaddingMode.Zeros, align_corners: false);                             // [N·M, D, Lq, L·P]
        return scope.MoveToOuter(WeightedSum(sampled, weights.mul(inside), n, m, d, lq, levels * points));
    }

    /// <param name="sampled">[N·M, D, Lq, L·P]</param>
    /// <param name="weights">[N, Lq, M, L, P]</param>
    /// <returns>[N, Lq, M·D]</returns>
    static Tensor WeightedSum(Tensor sampled, Tensor weights, long n, long m, long d, long lq, long lp)
    {
        var w = weights.transpose(1, 2).reshape(n * m, 1, lq, lp);                          // [N·M, 1, Lq, L·P]
        var output = sampled.mul(w).sum(-1).view(n, m * d, lq);                              // [N, M·D, Lq]
        return output.transpose(1, 2).contiguous();                                          // [N, Lq, M·D]
    }
}
