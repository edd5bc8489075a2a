using DetrSharp.Detection.Boxes;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// mmdetection's IoUCost: -bbox_overlaps(pred, gt, mode) × weight, on unnormalised corner-format boxes,
/// with mmdetection's clamping of the union and enclosing areas to ≥ 1e-6 (<see cref="BboxOverlaps"/>).
/// </summary>
public sealed class IoUCost
{
    /// <param name="mode">GIoU (DETR's default) or IoU.</param>
    /// <param name="weight">The cost's weight.</param>
    public IoUCost(IouMode mode = IouMode.Giou, double weight = 1.0)
    {
        Mode = mode;
        Weight = weight;
    }

    /// <summary>The overlap measure.</summary>
    public IouMode Mode { get; }

    /// <summary>The cost's weight.</summary>
    public double Weight { get; }

    /// <summary>The weighted cost of every (prediction, target) pair.</summary>
    /// <param name="bboxes">[..., Q, 4] predicted (x1, y1, x2, y2) boxes in pixels.</param>
    /// <param name="gtBboxes">[..., T, 4] target (x1, y1, x2, y2) boxes in pixels.</param>
    /// <returns>[..., Q, T].</returns>
    public Tensor Compute(Tensor bboxes, Tensor gtBboxes)
    {
        using var overlaps = BboxOverlaps.Compute(bboxes, gtBboxes, Mode, isAligned: false); // [..., Q, T]
        return overlaps.mul(-Weight);                                       // (-overlap) × w, exactly
    }
}
