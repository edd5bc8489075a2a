using DetrSharp.Torch;

namespace DetrSharp.Detection.Losses;

/// <summary>
/// The DICE loss of DETR's models/segmentation.py, a generalised IoU for masks:
/// 1 - (2 Σ σ(x) y + 1) / (Σ σ(x) + Σ y + 1) per row, summed and divided by num_boxes.
/// </summary>
public static class DiceLoss
{
    /// <summary>Computes the loss.</summary>
    /// <param name="inputs">[N, ...] logits; flattened to [N, D].</param>
    /// <param name="targets">[N, D] binary targets (already flattened, as the reference expects).</param>
    /// <param name="numBoxes">The normaliser.</param>
    /// <returns>A 0-d loss.</returns>
    public static Tensor Compute(Tensor inputs, Tensor targets, double numBoxes)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.dim() < 1 || targets.dim() != 2 || targets.size(0) != inputs.size(0))
            throw new ArgumentException(
                $"dice_loss: targets must be [N, D] with N = inputs.size(0), got inputs [{string.Join(", ", inputs.shape)}] and targets [{string.Join(", ", targets.shape)}]",
                nameof(targets));
        using var sig = inputs.sigmoid();
        using var flat = sig.flatten(1);                                       // [N, D]
        if (flat.size(1) != targets.size(1))
            throw new ArgumentException(
                $"dice_loss: inputs flatten to [{string.Join(", ", flat.shape)}] but targets are [{string.Join(", ", targets.shape)}]", nameof(targets));
        using var prod = flat * targets;
        using var inter = prod.sum(1);                                         // [N]
        using var numerator = inter.mul(2);
        using var s1 = flat.sum(-1);
        using var s2 = targets.sum(-1);
        using var denominator = s1 + s2;
        using var num1 = numerator + 1;
        using var den1 = denominator + 1;
        using var ratio = num1 / den1;
        using var loss = 1 - ratio;                                            // [N]
        using var total = loss.sum();
        return total.div(numBoxes);
    }
}
