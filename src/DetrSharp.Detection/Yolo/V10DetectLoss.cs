using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// YOLOv10's consistent dual assignment loss (v10DetectLoss): the v8 loss of the one-to-many head with topk 10
/// plus the v8 loss of the one-to-one head with topk 1, against the same boxes.
/// </summary>
public sealed class V10DetectLoss
{
    public V8DetectionLoss OneToMany { get; }
    public V8DetectionLoss OneToOne { get; }

    public V10DetectLoss(long numClasses, IReadOnlyList<double> strides, long regMax = 16, YoloLossGains? gains = null)
    {
        OneToMany = new V8DetectionLoss(numClasses, strides, regMax, gains, talTopk: 10);
        OneToOne = new V8DetectionLoss(numClasses, strides, regMax, gains, talTopk: 1);
    }

    /// <summary>Total = both totals summed; Items = [6]: one-to-many (box, cls, dfl) then one-to-one.</summary>
    /// <param name="oneToMany">Per level [batch, 4 · reg_max + classes, H, W] of the one-to-many branch.</param>
    /// <param name="oneToOne">The same for the one-to-one branch.</param>
    /// <param name="targets">The batch's boxes.</param>
    public YoloLossOutput Compute(IReadOnlyList<Tensor> oneToMany, IReadOnlyList<Tensor> oneToOne, YoloTargets targets)
    {
        using var many = OneToMany.Compute(oneToMany, targets);
        using var one = OneToOne.Compute(oneToOne, targets);
        return new YoloLossOutput(many.Total + one.Total, torch.cat(new[] { many.Items, one.Items }));
    }
}
