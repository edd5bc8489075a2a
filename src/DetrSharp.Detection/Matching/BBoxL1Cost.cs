using DetrSharp.Detection.Boxes;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// mmdetection's BBoxL1Cost: the L1 distance between normalised predicted and target boxes,
/// torch.cdist(pred, gt, p=1) × weight, in the space <see cref="Format"/> names.
/// </summary>
public sealed class BBoxL1Cost
{
    /// <param name="weight">The cost's weight.</param>
    /// <param name="format">Corner ("xyxy", DETR) or centre ("xywh") space.</param>
    public BBoxL1Cost(double weight = 1.0, BoxL1Format format = BoxL1Format.Xyxy)
    {
        Weight = weight;
        Format = format;
    }

    /// <summary>The cost's weight.</summary>
    public double Weight { get; }

    /// <summary>The space the distance is measured in.</summary>
    public BoxL1Format Format { get; }

    /// <summary>The weighted L1 cost of every (prediction, target) pair.</summary>
    /// <param name="bboxPred">[..., Q, 4] normalised (cx, cy, w, h) predictions.</param>
    /// <param name="gtBboxes">[..., T, 4] normalised (x1, y1, x2, y2) targets.</param>
    /// <returns>[..., Q, T].</returns>
    public Tensor Compute(Tensor bboxPred, Tensor gtBboxes)
    {
        BoxChecks.Pairwise(bboxPred, gtBboxes, "BBoxL1Cost");
        using var pred = Format == BoxL1Format.Xyxy ? BoxConvert.CxcywhToXyxy(bboxPred) : bboxPred.alias();
        using var gt = Format == BoxL1Format.Xywh ? BoxConvert.XyxyToCxcywh(gtBboxes) : gtBboxes.alias();
        using var dist = torch.cdist(pred, gt, 1.0);                       // [..., Q, T]
        return dist.mul(Weight);
    }
}
