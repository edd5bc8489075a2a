using DetrSharp.Torch;

namespace DetrSharp.Detection.Boxes;

/// <summary>
/// Box format conversions of DETR's util/box_ops.py (and mmdetection's bbox transforms, same arithmetic),
/// on the last dim of any shape: (cx, cy, w, h) centre format and (x1, y1, x2, y2) corner format.
/// </summary>
public static class BoxConvert
{
    /// <summary>(cx - w/2, cy - h/2, cx + w/2, cy + h/2), as box_cxcywh_to_xyxy.</summary>
    /// <param name="boxes">[..., 4] centre-format boxes.</param>
    /// <returns>[..., 4] corner-format boxes.</returns>
    public static Tensor CxcywhToXyxy(Tensor boxes)
    {
        BoxChecks.LastDimIsFour(boxes, nameof(boxes), "CxcywhToXyxy");
        using var centre = boxes.slice(-1, 0, 2); // [..., 2]
        using var size = boxes.slice(-1, 2, 4);   // [..., 2]
        using var half = size.mul(0.5);           // 0.5 * w is exact, as the reference's
        using var lo = centre - half;
        using var hi = centre + half;
        return torch.cat(new[] { lo, hi }, -1);   // [..., 4]
    }

    /// <summary>((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), as box_xyxy_to_cxcywh.</summary>
    /// <param name="boxes">[..., 4] corner-format boxes.</param>
    /// <returns>[..., 4] centre-format boxes.</returns>
    public static Tensor XyxyToCxcywh(Tensor boxes)
    {
        BoxChecks.LastDimIsFour(boxes, nameof(boxes), "XyxyToCxcywh");
        using var lo = boxes.slice(-1, 0, 2);     // [..., 2]
        using var hi = boxes.slice(-1, 2, 4);     // [..., 2]
        using var sum = lo + hi;
        using var centre = sum.div(2);
        using var size = hi - lo;
        return torch.cat(new[] { centre, size }, -1); // [..., 4]
    }

    /// <summary>(x2 - x1) * (y2 - y1), as box_area (no clamping: a box with x2 &lt; x1 has a negative area).</summary>
    /// <param name="boxes">[..., 4] corner-format boxes.</param>
    /// <returns>[...] areas.</returns>
    public static Tensor Area(Tensor boxes)
    {
        BoxChecks.LastDimIsFour(boxes, nameof(boxes), "Area");
        using var lo = boxes.slice(-1, 0, 2);
        using var hi = boxes.slice(-1, 2, 4);
        using var wh = hi - lo;                   // [..., 2]
        using var w = wh.select(-1, 0);
        using var h = wh.select(-1, 1);
        return w * h;                             // [...]
    }
}
