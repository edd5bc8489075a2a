using DetrSharp.Torch;

namespace DetrSharp.Detection.Boxes;

/// <summary>
/// The IoU / GIoU arithmetic of DETR's and DINO's util/box_ops.py, for corner-format boxes either
/// pairwise ([..., N, 4] x [..., M, 4] → [..., N, M]) or aligned ([..., N, 4] x [..., N, 4] → [..., N]).
/// The operations and their order are the reference's, so values (and gradients) agree to the bit.
/// <paramref name="eps"/> = 0 is DETR (no epsilon: identical zero-area boxes give NaN); 1e-6 is DINO.
/// </summary>
internal static class IouKernel
{
    /// <summary>The four corner views, shaped to broadcast against each other.</summary>
    readonly struct Corners : IDisposable
    {
        public readonly Tensor Lo1, Hi1, Lo2, Hi2;

        public Corners(Tensor boxes1, Tensor boxes2, bool aligned)
        {
            if (aligned)
            {
                Lo1 = boxes1.slice(-1, 0, 2); // [..., N, 2]
                Hi1 = boxes1.slice(-1, 2, 4);
                Lo2 = boxes2.slice(-1, 0, 2);
                Hi2 = boxes2.slice(-1, 2, 4);
            }
            else
            {
                using var lo1 = boxes1.slice(-1, 0, 2);
                using var hi1 = boxes1.slice(-1, 2, 4);
                using var lo2 = boxes2.slice(-1, 0, 2);
                using var hi2 = boxes2.slice(-1, 2, 4);
                Lo1 = lo1.unsqueeze(-2);      // [..., N, 1, 2]
                Hi1 = hi1.unsqueeze(-2);
                Lo2 = lo2.unsqueeze(-3);      // [..., 1, M, 2]
                Hi2 = hi2.unsqueeze(-3);
            }
        }

        public void Dispose()
        {
            Lo1.Dispose(); Hi1.Dispose(); Lo2.Dispose(); Hi2.Dispose();
        }
    }

    /// <summary>Product of the two entries of the last dim: [..., 2] → [...].</summary>
    static Tensor Product(Tensor wh)
    {
        using var w = wh.select(-1, 0);
        using var h = wh.select(-1, 1);
        return w * h;
    }

    /// <summary>inter / (union [+ eps]) and the union, as box_iou.</summary>
    public static (Tensor Iou, Tensor Union) Iou(Tensor boxes1, Tensor boxes2, bool aligned, double eps)
    {
        using var c = new Corners(boxes1, boxes2, aligned);
        return Iou(boxes1, boxes2, c, aligned, eps);
    }

    static (Tensor Iou, Tensor Union) Iou(Tensor boxes1, Tensor boxes2, in Corners c, bool aligned, double eps)
    {
        using var area1 = BoxConvert.Area(boxes1);                                  // [..., N]
        using var area2 = BoxConvert.Area(boxes2);                                  // [..., M]
        using var lt = c.Lo1.maximum(c.Lo2);                                        // [..., N, M, 2]
        using var rb = c.Hi1.minimum(c.Hi2);
        using var diff = rb - lt;
        using var wh = diff.clamp_min(0);
        using var inter = Product(wh);                                              // [..., N, M]
        using var a1 = aligned ? area1.alias() : area1.unsqueeze(-1);               // [..., N, 1]
        using var a2 = aligned ? area2.alias() : area2.unsqueeze(-2);               // [..., 1, M]
        using var sum = a1 + a2;
        var union = sum - inter;
        Tensor iou;
        if (eps == 0) iou = inter / union;
        else
        {
            using var den = union + eps;
            iou = inter / den;
        }
        return (iou, union);
    }

    /// <summary>iou - (enclosing - union) / (enclosing [+ eps]), as generalized_box_iou.</summary>
    public static Tensor Giou(Tensor boxes1, Tensor boxes2, bool aligned, double eps)
    {
        using var c = new Corners(boxes1, boxes2, aligned);
        var (iou, union) = Iou(boxes1, boxes2, c, aligned, eps);
        using (iou)
        using (union)
        {
            using var lt = c.Lo1.minimum(c.Lo2);
            using var rb = c.Hi1.maximum(c.Hi2);
            using var diff = rb - lt;
            using var wh = diff.clamp_min(0);
            using var area = Product(wh);                                           // [..., N, M]
            using var gap = area - union;
            Tensor ratio;
            if (eps == 0) ratio = gap / area;
            else
            {
                using var den = area + eps;
                ratio = gap / den;
            }
            using (ratio) return iou - ratio;
        }
    }
}
