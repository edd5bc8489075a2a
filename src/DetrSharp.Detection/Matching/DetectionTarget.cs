using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// The ground truth of one image as DETR's criterion and matcher read it: class labels and boxes
/// (normalised centre format), and optionally instance masks. The caller owns the tensors.
/// </summary>
public sealed class DetectionTarget
{
    /// <summary>Creates a target, checking the shapes.</summary>
    /// <param name="labels">[n] int64 class indices.</param>
    /// <param name="boxes">[n, 4] boxes (cx, cy, w, h), normalised by the image size.</param>
    /// <param name="masks">[n, H, W] instance masks, or null.</param>
    /// <exception cref="ArgumentException">A shape or dtype does not fit.</exception>
    public DetectionTarget(Tensor labels, Tensor boxes, Tensor? masks = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(boxes);
        var ls = labels.shape;
        var bs = boxes.shape;
        if (ls.Length != 1)
            throw new ArgumentException($"DetectionTarget: labels must be [n], got [{string.Join(", ", ls)}]", nameof(labels));
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"DetectionTarget: labels must be int64 class indices, got {labels.dtype}", nameof(labels));
        if (bs.Length != 2 || bs[1] != 4 || bs[0] != ls[0])
            throw new ArgumentException($"DetectionTarget: boxes must be [n, 4] with n = {ls[0]} labels, got [{string.Join(", ", bs)}]", nameof(boxes));
        if (masks is not null)
        {
            var ms = masks.shape;
            if (ms.Length != 3 || ms[0] != ls[0])
                throw new ArgumentException($"DetectionTarget: masks must be [n, H, W] with n = {ls[0]}, got [{string.Join(", ", ms)}]", nameof(masks));
        }
        Labels = labels;
        Boxes = boxes;
        Masks = masks;
        Count = (int)ls[0];
    }

    /// <summary>[n] int64 class indices.</summary>
    public Tensor Labels { get; }

    /// <summary>[n, 4] normalised (cx, cy, w, h) boxes.</summary>
    public Tensor Boxes { get; }

    /// <summary>[n, H, W] instance masks, or null.</summary>
    public Tensor? Masks { get; }

    /// <summary>n: the number of objects.</summary>
    public int Count { get; }
}
