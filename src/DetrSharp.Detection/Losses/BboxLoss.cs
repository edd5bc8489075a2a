using DetrSharp.Detection.Boxes;
using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Losses;

/// <summary>
/// ultralytics' BboxLoss: over the foreground anchors, 1 - CIoU of the predicted and target boxes and (with DFL)
/// the distribution focal loss of the predicted side distances, both weighted by the anchor's target score sum
/// and divided by the batch's target score sum.
/// </summary>
public sealed class BboxLoss
{
    /// <summary>Largest distance bin index (the head's reg_max - 1); DFL targets are clamped to RegMax - 0.01.</summary>
    public long RegMax { get; }
    /// <summary>Whether the DFL term is computed (the head has more than one bin).</summary>
    public bool UseDfl { get; }

    public BboxLoss(long regMax, bool useDfl = false) => (RegMax, UseDfl) = (regMax, useDfl);

    /// <summary>The IoU and DFL losses (DFL is 0 when disabled).</summary>
    /// <param name="predDist">[batch, anchors, 4 · (RegMax + 1)] distance logits.</param>
    /// <param name="predBboxes">[batch, anchors, 4] decoded predicted boxes, xyxy, grid units.</param>
    /// <param name="anchorPoints">[anchors, 2] grid units.</param>
    /// <param name="targetBboxes">[batch, anchors, 4] assigned boxes, xyxy, grid units.</param>
    /// <param name="targetScores">[batch, anchors, classes].</param>
    /// <param name="targetScoresSum">0-d tensor (or a number as a 0-d tensor) the losses are divided by.</param>
    /// <param name="fgMask">[batch, anchors] bool.</param>
    public (Tensor LossIou, Tensor LossDfl) Forward(Tensor predDist, Tensor predBboxes, Tensor anchorPoints, Tensor targetBboxes,
        Tensor targetScores, Tensor targetScoresSum, Tensor fgMask)
    {
        using var scope = torch.NewDisposeScope();
        var fg = new Tensor?[] { fgMask };
        var weight = targetScores.sum(-1).index(fg).unsqueeze(-1);                       // [P, 1]
        var iou = BboxIou.Compute(predBboxes.index(fg), targetBboxes.index(fg), xywh: false, IouMode.Ciou); // [P, 1]
        var lossIou = ((1.0 - iou) * weight).sum() / targetScoresSum;

        Tensor lossDfl;
        if (UseDfl)
        {
            var targetLtrb = YoloAnchors.Bbox2Dist(anchorPoints, targetBboxes, RegMax);    // [B, A, 4]
            var dist = predDist.index(fg).view(-1, RegMax + 1);                             // [P · 4, bins]
            var dfl = DistributionFocalLoss.Compute(dist, targetLtrb.index(fg)) * weight;   // [P, 1]
            lossDfl = dfl.sum() / targetScoresSum;
        }
        else lossDfl = torch.zeros(Array.Empty<long>(), predDist.dtype, predDist.device);
        scope.MoveToOuter(lossIou, lossDfl);
        return (lossIou, lossDfl);
    }
}
