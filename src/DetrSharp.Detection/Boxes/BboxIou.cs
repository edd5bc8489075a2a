using DetrSharp.Torch;

namespace DetrSharp.Detection.Boxes;

/// <summary>
/// ultralytics' bbox_iou (utils/metrics.py): IoU, GIoU, DIoU or CIoU of two broadcasting box sets, centre
/// (x, y, w, h) or corner (x1, y1, x2, y2) format, with the reference's eps placement and operation order so
/// values and gradients agree with it: in corner format eps is added to the heights, the union and enclosing
/// terms get + eps, and CIoU's alpha is computed without gradient. Unlike DETR's <see cref="BoxOps"/>, nothing
/// is pairwise by construction: the two inputs simply broadcast ([N, 1, 4] × [1, M, 4] gives a matrix).
/// </summary>
public static class BboxIou
{
    /// <summary>The overlap of box1 and box2 after broadcasting.</summary>
    /// <param name="box1">[..., 4] boxes.</param>
    /// <param name="box2">[..., 4] boxes, broadcastable against box1.</param>
    /// <param name="xywh">Centre format (true, the reference's default) or corner format (false).</param>
    /// <param name="mode">Iou, Giou, Diou or Ciou.</param>
    /// <param name="eps">The reference's 1e-7.</param>
    /// <returns>[...broadcast(box1, box2) without the last dim..., 1].</returns>
    public static Tensor Compute(Tensor box1, Tensor box2, bool xywh = true, IouMode mode = IouMode.Iou, double eps = 1e-7)
    {
        BoxChecks.LastDimIsFour(box1, nameof(box1), "bbox_iou");
        BoxChecks.LastDimIsFour(box2, nameof(box2), "bbox_iou");
        if (mode == IouMode.Iof)
            throw new ArgumentException("bbox_iou: mode Iof is not one of Iou, Giou, Diou, Ciou (for IoF use BboxOverlaps)", nameof(mode));
        CheckBroadcast(box1.shape, box2.shape);

        using var scope = torch.NewDisposeScope();
        var c1 = box1.chunk(4, -1);                                                    // 4 × [..., 1]
        var c2 = box2.chunk(4, -1);
        Tensor b1x1, b1y1, b1x2, b1y2, b2x1, b2y1, b2x2, b2y2, w1, h1, w2, h2;
        if (xywh)
        {
            (w1, h1, w2, h2) = (c1[2], c1[3], c2[2], c2[3]);
            var hw1 = w1 / 2; var hh1 = h1 / 2; var hw2 = w2 / 2; var hh2 = h2 / 2;
            (b1x1, b1x2, b1y1, b1y2) = (c1[0] - hw1, c1[0] + hw1, c1[1] - hh1, c1[1] + hh1);
            (b2x1, b2x2, b2y1, b2y2) = (c2[0] - hw2, c2[0] + hw2, c2[1] - hh2, c2[1] + hh2);
        }
        else
        {
            (b1x1, b1y1, b1x2, b1y2) = (c1[0], c1[1], c1[2], c1[3]);
            (b2x1, b2y1, b2x2, b2y2) = (c2[0], c2[1], c2[2], c2[3]);
            w1 = b1x2 - b1x1;
            h1 = b1y2 - b1y1 + eps;
            w2 = b2x2 - b2x1;
            h2 = b2y2 - b2y1 + eps;
        }

        var interW = (b1x2.minimum(b2x2) - b1x1.maximum(b2x1)).clamp_min(0);           // [..., 1]
        var interH = (b1y2.minimum(b2y2) - b1y1.maximum(b2y1)).clamp_min(0);
        var inter = interW * interH;
        var union = w1 * h1 + w2 * h2 - inter + eps;
        var iou = inter / union;
        if (mode == IouMode.Iou) return scope.MoveToOuter(iou);

        var cw = b1x2.maximum(b2x2) - b1x1.minimum(b2x1);                               // enclosing width
        var ch = b1y2.maximum(b2y2) - b1y1.minimum(b2y1);                               // enclosing height
        if (mode == IouMode.Giou)
        {
            var cArea = cw * ch + eps;
            return scope.MoveToOuter(iou - (cArea - union) / cArea);
        }

        var c2Diag = cw.pow(2) + ch.pow(2) + eps;                                       // squared diagonal
        var dx = b2x1 + b2x2 - b1x1 - b1x2;
        var dy = b2y1 + b2y2 - b1y1 - b1y2;
        var rho2 = (dx.pow(2) + dy.pow(2)) / 4;                                         // squared centre distance
        if (mode == IouMode.Diou) return scope.MoveToOuter(iou - rho2 / c2Diag);

        var v = (4 / (Math.PI * Math.PI)) * ((w2 / h2).atan() - (w1 / h1).atan()).pow(2);
        Tensor alpha;
        using (torch.no_grad())
            alpha = v / (v - iou + (1 + eps));
        return scope.MoveToOuter(iou - (rho2 / c2Diag + v * alpha));
    }

    static void CheckBroadcast(long[] s1, long[] s2)
    {
        for (int i = 1; i <= Math.Min(s1.Length, s2.Length); i++)
        {
            long a = s1[^i], b = s2[^i];
            if (a != b && a != 1 && b != 1)
                throw new ArgumentException(
                    $"bbox_iou: box1 [{string.Join(", ", s1)}] and box2 [{string.Join(", ", s2)}] do not broadcast", "box2");
        }
    }
}
