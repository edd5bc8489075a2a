using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// Anchor points and box coding of the anchor-free YOLO heads, as ultralytics/utils/tal.py
/// (make_anchors, dist2bbox, bbox2dist): one anchor per feature-map cell, boxes coded as
/// distances from the anchor to the four sides.
/// </summary>
public static class YoloAnchors
{
    /// <summary>
    /// Cell centres of every level, in grid units, (x, y) order, row-major per level, levels concatenated;
    /// and each anchor's stride.
    /// </summary>
    /// <param name="sizes">(height, width) of each level's feature map.</param>
    /// <param name="strides">Stride of each level in input pixels.</param>
    /// <param name="gridCellOffset">Offset added to the cell index (0.5 = cell centre).</param>
    /// <returns>anchor points [A, 2] and stride tensor [A, 1], A = sum of H*W.</returns>
    public static (Tensor AnchorPoints, Tensor StrideTensor) MakeAnchors(
        IReadOnlyList<(long H, long W)> sizes, IReadOnlyList<double> strides, double gridCellOffset = 0.5,
        ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (sizes.Count != strides.Count)
            throw new ArgumentException($"make_anchors: {sizes.Count} feature maps but {strides.Count} strides");
        var dev = device ?? Device.CPU;
        var points = new Tensor[sizes.Count];
        var strideParts = new Tensor[sizes.Count];
        try
        {
            for (int i = 0; i < sizes.Count; i++)
            {
                var (h, w) = sizes[i];
                using var ax = torch.arange(w, dtype, dev);
                using var sx = ax + gridCellOffset;                  // [W]
                using var ay = torch.arange(h, dtype, dev);
                using var sy = ay + gridCellOffset;                  // [H]
                using var gx = sx.unsqueeze(0).expand(h, w);          // [H, W]
                using var gy = sy.unsqueeze(1).expand(h, w);          // [H, W]
                using var xy = torch.stack(new[] { gx, gy }, -1);     // [H, W, 2]
                points[i] = xy.reshape(h * w, 2);                      // [H*W, 2]
                strideParts[i] = torch.full(new[] { h * w, 1L }, strides[i], dtype, dev); // [H*W, 1]
            }
            return (torch.cat(points), torch.cat(strideParts));
        }
        finally
        {
            foreach (var t in points) t?.Dispose();
            foreach (var t in strideParts) t?.Dispose();
        }
    }

    /// <summary>make_anchors over feature maps [B, C, H, W] (dtype and device follow the first map).</summary>
    public static (Tensor AnchorPoints, Tensor StrideTensor) MakeAnchors(
        IReadOnlyList<Tensor> feats, IReadOnlyList<double> strides, double gridCellOffset = 0.5)
    {
        if (feats.Count == 0) throw new ArgumentException("make_anchors: no feature maps");
        var sizes = feats.Select(f =>
        {
            if (f.dim() != 4) throw new ArgumentException($"make_anchors: feature map must be [B, C, H, W], got [{string.Join(", ", f.shape)}]");
            return (f.shape[2], f.shape[3]);
        }).ToArray();
        return MakeAnchors(sizes, strides, gridCellOffset, feats[0].dtype, feats[0].device);
    }

    /// <summary>
    /// Distances (left, top, right, bottom) from anchor points to boxes: xywh (centre, size) or xyxy.
    /// The four distances lie along <paramref name="dim"/> of <paramref name="distance"/>.
    /// </summary>
    public static Tensor Dist2Bbox(Tensor distance, Tensor anchorPoints, bool xywh = true, long dim = -1)
    {
        var parts = distance.chunk(2, dim);
        using var lt = parts[0];
        using var rb = parts[1];
        using var x1y1 = anchorPoints - lt;
        using var x2y2 = anchorPoints + rb;
        if (!xywh) return torch.cat(new[] { x1y1, x2y2 }, dim);
        using var sum = x1y1 + x2y2;
        using var cxy = sum / 2;
        using var wh = x2y2 - x1y1;
        return torch.cat(new[] { cxy, wh }, dim);
    }

    /// <summary>
    /// Boxes xyxy [..., 4] to distances (left, top, right, bottom) from the anchor points [..., 2],
    /// clamped to [0, regMax - 0.01].
    /// </summary>
    public static Tensor Bbox2Dist(Tensor anchorPoints, Tensor bbox, long regMax)
    {
        var parts = bbox.chunk(2, -1);
        using var x1y1 = parts[0];
        using var x2y2 = parts[1];
        using var lt = anchorPoints - x1y1;
        using var rb = x2y2 - anchorPoints;
        using var d = torch.cat(new[] { lt, rb }, -1);
        return d.clamp(0, regMax - 0.01);
    }
}
