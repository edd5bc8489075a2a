using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO's gen_encoder_output_proposals: one anchor box per encoder token, centred on its cell (normalised by the
/// level's unpadded size) with w = h = 0.05 × 2^level, in logit space. Tokens on padding, and anchors with any
/// coordinate outside (0.01, 0.99), get +inf boxes and zeroed memory.
/// </summary>
public static class EncoderProposals
{
    /// <param name="memory">[N, S, C] encoder output</param>
    /// <param name="paddingMask">[N, S] bool, true on padding</param>
    /// <param name="shapes">the levels' (H, W)</param>
    /// <returns>memory [N, S, C] with invalid tokens zeroed; proposals [N, S, 4] inverse-sigmoid cxcywh, +inf where invalid</returns>
    public static (Tensor memory, Tensor proposals) Generate(Tensor memory, Tensor paddingMask, LevelShapes shapes)
    {
        using var scope = torch.NewDisposeScope();
        long n = memory.size(0);
        var device = memory.device;
        var starts = shapes.StartIndex;
        var perLevel = new Tensor[shapes.Count];
        for (int l = 0; l < shapes.Count; l++)
        {
            var (h, w) = shapes[l];
            var maskL = paddingMask.narrow(1, starts[l], h * w).view(n, h, w);                     // [N, H, W]
            var validH = maskL.select(2, 0).logical_not().sum(1, false, ScalarType.Int64);          // [N]
            var validW = maskL.select(1, 0).logical_not().sum(1, false, ScalarType.Int64);          // [N]
            var ys = torch.arange(h, ScalarType.Float32, device);                                  // [H]
            var xs = torch.arange(w, ScalarType.Float32, device);                                  // [W]
            var grid = torch.stack(new[] { xs.view(1, w).expand(h, w), ys.view(h, 1).expand(h, w) }, -1); // [H, W, 2] (x, y)
            var scale = torch.stack(new[] { validW, validH }, 1).view(n, 1, 1, 2);                  // [N, 1, 1, 2] int64
            var centres = grid.unsqueeze(0).expand(n, h, w, 2).add(0.5).div(scale);                 // [N, H, W, 2]
            var wh = torch.full(new long[] { n, h, w, 2 }, (float)0.05 * Math.Pow(2, l), ScalarType.Float32, device); // [N, H, W, 2]
            perLevel[l] = torch.cat(new[] { centres, wh }, -1).view(n, h * w, 4);                  // [N, H·W, 4]
        }
        var proposals = torch.cat(perLevel, 1);                                                    // [N, S, 4]
        var valid = proposals.gt(0.01).logical_and(proposals.lt(0.99)).all(-1, true);               // [N, S, 1]
        proposals = proposals.div(proposals.neg().add(1)).log();                                   // logit
        var padding = paddingMask.unsqueeze(-1);                                                   // [N, S, 1]
        var invalid = valid.logical_not();
        proposals = proposals.masked_fill(padding, double.PositiveInfinity).masked_fill(invalid, double.PositiveInfinity);
        var output = memory.masked_fill(padding, 0.0).masked_fill(invalid, 0.0);                   // [N, S, C]
        return (scope.MoveToOuter(output), scope.MoveToOuter(proposals));
    }
}
