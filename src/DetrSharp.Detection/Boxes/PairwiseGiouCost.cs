using DetrSharp.Torch;

namespace DetrSharp.Detection.Boxes;

/// <summary>
/// The matcher's GIoU of every (target, prediction) pair of each image, without gradient, in a
/// target-major layout [B, T, Q]: coordinates are handled one plane at a time so the innermost loop runs
/// over the Q predictions (contiguous), and intermediates are reused in place. Each value is computed by
/// the same operations, in the same order, as the reference's generalized_box_iou (so it is bit-identical
/// to <see cref="IouKernel.Giou"/> of the pair), for DETR (eps 0) and DINO (eps 1e-6).
/// </summary>
internal static class PairwiseGiouCost
{
    /// <param name="predXyxy">[B, Q, 4] corner-format predictions (boxes1 of the reference).</param>
    /// <param name="tgtXyxy">[B, T, 4] corner-format targets (boxes2).</param>
    /// <param name="eps">Added to the IoU and GIoU denominators.</param>
    /// <returns>[B, T, Q] GIoU; call under no_grad.</returns>
    public static Tensor TargetMajor(Tensor predXyxy, Tensor tgtXyxy, double eps)
    {
        using var coordMajor = predXyxy.transpose(-1, -2);                   // [B, 4, Q] (a view)
        using var planes = coordMajor.contiguous();                          // [B, 4, Q]
        using var px1 = planes.slice(-2, 0, 1);                              // [B, 1, Q]
        using var py1 = planes.slice(-2, 1, 2);
        using var px2 = planes.slice(-2, 2, 3);
        using var py2 = planes.slice(-2, 3, 4);
        using var tgt = tgtXyxy.unsqueeze(-1);                               // [B, T, 4, 1]
        using var tx1 = tgt.select(-2, 0);                                   // [B, T, 1]
        using var ty1 = tgt.select(-2, 1);
        using var tx2 = tgt.select(-2, 2);
        using var ty2 = tgt.select(-2, 3);

        using var predArea = Area(px1, py1, px2, py2);                      // [B, 1, Q]
        using var tgtArea = Area(tx1, ty1, tx2, ty2);                       // [B, T, 1]

        // intersection: (min(x2) - max(x1)).clamp(0) · (min(y2) - max(y1)).clamp(0)
        var inter = Side(px2.minimum(tx2), px1, tx1, lowerIsMax: true);     // [B, T, Q]
        using (var h = Side(py2.minimum(ty2), py1, ty1, lowerIsMax: true)) inter.mul_(h);

        // union = area1 + area2 - inter; iou = inter / (union [+ eps])
        using var union = predArea + tgtArea;                               // [B, T, Q]
        union.sub_(inter);
        var iou = inter;
        if (eps == 0) iou.div_(union);
        else
        {
            using var den = union + eps;
            iou.div_(den);
        }

        // enclosing area: (max(x2) - min(x1)).clamp(0) · (max(y2) - min(y1)).clamp(0)
        using var area = Side(px2.maximum(tx2), px1, tx1, lowerIsMax: false);
        using (var eh = Side(py2.maximum(ty2), py1, ty1, lowerIsMax: false)) area.mul_(eh);

        // giou = iou - (area - union) / (area [+ eps]), formed as iou + (union - area) / den, which is
        // exactly the same value (IEEE rounding is symmetric under negation)
        union.sub_(area);
        if (eps != 0) area.add_(eps);
        union.div_(area);
        return iou.add_(union);
    }

    /// <summary>(x2 - x1) · (y2 - y1), as box_area.</summary>
    static Tensor Area(Tensor x1, Tensor y1, Tensor x2, Tensor y2)
    {
        using var w = x2 - x1;
        using var h = y2 - y1;
        return w * h;
    }

    /// <summary>(upper - lower(a, b)).clamp(min=0) in upper's buffer, lower being max or min of a and b.</summary>
    static Tensor Side(Tensor upper, Tensor a, Tensor b, bool lowerIsMax)
    {
        using var lower = lowerIsMax ? a.maximum(b) : a.minimum(b);
        upper.sub_(lower);
        return upper.clamp_min_(0);
    }
}
