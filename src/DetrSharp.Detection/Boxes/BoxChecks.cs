using DetrSharp.Torch;

namespace DetrSharp.Detection.Boxes;

/// <summary>Shape and validity checks shared by the box operations; each throws an ArgumentException naming the input.</summary>
internal static class BoxChecks
{
    public static void LastDimIsFour(Tensor boxes, string name, string op)
    {
        ArgumentNullException.ThrowIfNull(boxes, name);
        var shape = boxes.shape;
        if (shape.Length == 0 || shape[^1] != 4)
            throw new ArgumentException($"{op}: {name} must have shape [..., 4], got [{string.Join(", ", shape)}]", name);
    }

    /// <summary>Two box sets that broadcast pairwise: [..., N, 4] and [..., M, 4] with equal leading dims.</summary>
    public static void Pairwise(Tensor boxes1, Tensor boxes2, string op)
    {
        LastDimIsFour(boxes1, nameof(boxes1), op);
        LastDimIsFour(boxes2, nameof(boxes2), op);
        var s1 = boxes1.shape;
        var s2 = boxes2.shape;
        if (s1.Length < 2 || s2.Length != s1.Length || !s1.AsSpan(0, s1.Length - 2).SequenceEqual(s2.AsSpan(0, s2.Length - 2)))
            throw new ArgumentException(
                $"{op}: boxes1 [..., N, 4] and boxes2 [..., M, 4] need the same leading dims, got [{string.Join(", ", s1)}] and [{string.Join(", ", s2)}]",
                nameof(boxes2));
    }

    /// <summary>Two box sets paired row by row: the same shape [..., N, 4].</summary>
    public static void Aligned(Tensor boxes1, Tensor boxes2, string op)
    {
        LastDimIsFour(boxes1, nameof(boxes1), op);
        LastDimIsFour(boxes2, nameof(boxes2), op);
        var s1 = boxes1.shape;
        var s2 = boxes2.shape;
        if (!s1.AsSpan().SequenceEqual(s2))
            throw new ArgumentException(
                $"{op}: aligned boxes need equal shapes, got [{string.Join(", ", s1)}] and [{string.Join(", ", s2)}]", nameof(boxes2));
    }

    /// <summary>
    /// DETR's assert (boxes[:, 2:] &gt;= boxes[:, :2]).all() before a GIoU: a box with x2 &lt; x1 or y2 &lt; y1
    /// (or a NaN coordinate) gives meaningless values, so it is refused.
    /// </summary>
    public static void NotDegenerate(Tensor boxes, string name, string op)
    {
        if (boxes.numel() == 0) return;
        using var lo = boxes.slice(-1, 0, 2);
        using var hi = boxes.slice(-1, 2, 4);
        using var ok = hi.ge(lo);
        using var all = ok.all();
        if (all.item<bool>()) return;

        using var bad = ok.logical_not();
        using var flatBad = bad.reshape(-1, 2).any(1);
        using var where = flatBad.nonzero();
        long first = where.numel() > 0 ? where.data<long>()[0] : -1;
        using var flat = boxes.reshape(-1, 4);
        using var box = flat.select(0, first);
        var v = box.to(ScalarType.Float64).data<double>();
        throw new ArgumentException(
            $"{op}: {name} holds a degenerate box (x2 < x1 or y2 < y1, or NaN) at flat index {first}: " +
            $"[{string.Join(", ", v.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}]", name);
    }
}
