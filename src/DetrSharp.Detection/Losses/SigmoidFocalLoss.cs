using DetrSharp.Torch;
using static DetrSharp.Torch.nn;

namespace DetrSharp.Detection.Losses;

/// <summary>
/// The sigmoid focal loss of DETR's models/segmentation.py (and DINO / Deformable DETR's, the same):
/// BCE-with-logits × (1 - p_t)^γ, × α_t when α ≥ 0, reduced as loss.mean(1).sum() / num_boxes.
/// </summary>
public static class SigmoidFocalLoss
{
    /// <summary>Computes the loss.</summary>
    /// <param name="inputs">[N, D, ...] logits (any shape with at least 2 dims).</param>
    /// <param name="targets">Binary targets of the inputs' shape (0 negative, 1 positive).</param>
    /// <param name="numBoxes">The normaliser (the batch's number of boxes).</param>
    /// <param name="alpha">Weight of the positives in (0, 1); negative to disable α weighting.</param>
    /// <param name="gamma">The focusing exponent.</param>
    /// <returns>A 0-d loss.</returns>
    public static Tensor Compute(Tensor inputs, Tensor targets, double numBoxes, double alpha = 0.25, double gamma = 2)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.dim() < 2)
            throw new ArgumentException($"sigmoid_focal_loss: inputs must have at least 2 dims (the loss is .mean(1)), got [{string.Join(", ", inputs.shape)}]", nameof(inputs));
        if (!inputs.shape.AsSpan().SequenceEqual(targets.shape))
            throw new ArgumentException(
                $"sigmoid_focal_loss: targets [{string.Join(", ", targets.shape)}] must have the inputs' shape [{string.Join(", ", inputs.shape)}]", nameof(targets));

        using var loss = Elementwise(inputs, targets, alpha, gamma);           // [N, D, ...]
        using var mean = loss.mean(1);                                         // [N, ...]
        using var sum = mean.sum();
        return sum.div(numBoxes);
    }

    /// <summary>The unreduced loss, the inputs' shape.</summary>
    internal static Tensor Elementwise(Tensor inputs, Tensor targets, double alpha, double gamma)
    {
        using var prob = inputs.sigmoid();
        using var ce = functional.binary_cross_entropy_with_logits(inputs, targets, reduction: Reduction.None);
        // p_t = p y + (1 - p)(1 - y)
        using var py = prob * targets;
        using var q = 1 - prob;
        using var qy = 1 - targets;
        using var qq = q * qy;
        using var pt = py + qq;
        using var oneMinusPt = 1 - pt;
        using var focus = oneMinusPt.pow(gamma);
        var loss = ce * focus;
        if (alpha < 0) return loss;
        using (loss)
        {
            // α_t = α y + (1 - α)(1 - y)
            using var ay = targets.mul(alpha);
            using var by = qy.mul(1 - alpha);
            using var alphaT = ay + by;
            return alphaT * loss;
        }
    }
}
