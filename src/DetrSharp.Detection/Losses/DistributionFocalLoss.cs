using DetrSharp.Torch;
using static DetrSharp.Torch.nn;

namespace DetrSharp.Detection.Losses;

/// <summary>
/// Distribution focal loss (Generalized Focal Loss), as ultralytics' BboxLoss._df_loss: a continuous target t
/// between bins floor(t) and floor(t) + 1 is the cross-entropy at both, weighted by the distance to the other
/// bin, averaged over the four sides of a box.
/// </summary>
public static class DistributionFocalLoss
{
    /// <summary>The loss per box.</summary>
    /// <param name="predDist">[boxes · 4, bins] logits over the distance bins.</param>
    /// <param name="target">[boxes, 4] distances in bin units, within [0, bins - 1).</param>
    /// <returns>[boxes, 1].</returns>
    public static Tensor Compute(Tensor predDist, Tensor target)
    {
        if (predDist.dim() != 2 || target.dim() != 2 || predDist.shape[0] != target.numel())
            throw new ArgumentException(
                $"df_loss: pred_dist [{string.Join(", ", predDist.shape)}] must be [boxes·4, bins] for target [{string.Join(", ", target.shape)}] = [boxes, 4]",
                nameof(predDist));
        using var scope = torch.NewDisposeScope();
        var left = target.to(ScalarType.Int64);                                       // [boxes, 4]
        var right = left + 1;
        var weightLeft = right - target;
        var weightRight = 1 - weightLeft;
        var ceLeft = functional.cross_entropy(predDist, left.view(-1), reduction: Reduction.None).view(left.shape);
        var ceRight = functional.cross_entropy(predDist, right.view(-1), reduction: Reduction.None).view(left.shape);
        var loss = (ceLeft * weightLeft + ceRight * weightRight).mean(-1, keepdim: true); // [boxes, 1]
        return scope.MoveToOuter(loss);
    }
}
