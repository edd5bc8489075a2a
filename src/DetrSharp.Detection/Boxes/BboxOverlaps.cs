using DetrSharp.Torch;

namespace DetrSharp.Detection.Boxes;

/// <summary>
/// mmdetection 2.x's bbox_overlaps (mmdet/core/bbox/iou_calculators/iou2d_calculator.py) for corner-format
/// boxes: the union and the enclosing area are clamped to at least <c>eps</c> (1e-6) before dividing, and the
/// GIoU uses the clamped union. Boxes are not checked for degeneracy, as in mmdetection.
/// </summary>
public static class BboxOverlaps
{
    /// <summary>The overlap of every pair (is_aligned=False), or of row-aligned pairs (is_aligned=True).</summary>
    /// <param name="bboxes1">[..., N, 4] corner-format boxes.</param>
    /// <param name="bboxes2">[..., M, 4] corner-format boxes ([..., N, 4] when aligned).</param>
    /// <param name="mode">IoU, IoF or GIoU.</param>
    /// <param name="isAligned">Pair row i with row i instead of every pair.</param>
    /// <param name="eps">The lower clamp of the union and enclosing areas.</param>
    /// <returns>[..., N, M], or [..., N] when aligned; zeros-sized when either set is empty.</returns>
    public static Tensor Compute(Tensor bboxes1, Tensor bboxes2, IouMode mode = IouMode.Iou, bool isAligned = false, double eps = 1e-6)
    {
        if (mode is not (IouMode.Iou or IouMode.Iof or IouMode.Giou))
            throw new ArgumentException($"bbox_overlaps: mode {mode} is not one of Iou, Iof, Giou (for DIoU/CIoU use BboxIou)", nameof(mode));
        if (isAligned) BoxChecks.Aligned(bboxes1, bboxes2, "bbox_overlaps");
        else BoxChecks.Pairwise(bboxes1, bboxes2, "bbox_overlaps");
        var s1 = bboxes1.shape;
        var s2 = bboxes2.shape;
        long rows = s1[^2], cols = s2[^2];
        if (rows * cols == 0)
        {
            var shape = isAligned ? s1[..^1] : [.. s1[..^2], rows, cols];
            return torch.zeros(shape, bboxes1.dtype, bboxes1.device);
        }

        using var area1 = BoxConvert.Area(bboxes1);                               // [..., N]
        using var area2 = BoxConvert.Area(bboxes2);                               // [..., M]
        using var lo1s = bboxes1.slice(-1, 0, 2);
        using var hi1s = bboxes1.slice(-1, 2, 4);
        using var lo2s = bboxes2.slice(-1, 0, 2);
        using var hi2s = bboxes2.slice(-1, 2, 4);
        using var lo1 = isAligned ? lo1s.alias() : lo1s.unsqueeze(-2);           // [..., N, 1, 2]
        using var hi1 = isAligned ? hi1s.alias() : hi1s.unsqueeze(-2);
        using var lo2 = isAligned ? lo2s.alias() : lo2s.unsqueeze(-3);           // [..., 1, M, 2]
        using var hi2 = isAligned ? hi2s.alias() : hi2s.unsqueeze(-3);

        using var lt = lo1.maximum(lo2);
        using var rb = hi1.minimum(hi2);
        using var diff = rb - lt;
        using var wh = diff.clamp_min(0);
        using var w = wh.select(-1, 0);
        using var h = wh.select(-1, 1);
        using var overlap = w * h;                                                // [..., N, M]

        using var a1 = isAligned ? area1.alias() : area1.unsqueeze(-1);          // [..., N, 1]
        using var a2 = isAligned ? area2.alias() : area2.unsqueeze(-2);          // [..., 1, M]
        Tensor rawUnion;
        if (mode == IouMode.Iof) rawUnion = a1.alias();
        else
        {
            using var sum = a1 + a2;
            rawUnion = sum - overlap;
        }
        using var epsT = torch.scalar_tensor(eps, bboxes1.dtype, bboxes1.device);
        using var union = rawUnion.maximum(epsT);
        rawUnion.Dispose();
        var ious = overlap / union;
        if (mode != IouMode.Giou) return ious;

        using (ious)
        {
            using var elt = lo1.minimum(lo2);
            using var erb = hi1.maximum(hi2);
            using var ediff = erb - elt;
            using var ewh = ediff.clamp_min(0);
            using var ew = ewh.select(-1, 0);
            using var eh = ewh.select(-1, 1);
            using var rawEnclose = ew * eh;
            using var enclose = rawEnclose.maximum(epsT);
            using var gap = enclose - union;
            using var ratio = gap / enclose;
            return ious - ratio;
        }
    }
}
