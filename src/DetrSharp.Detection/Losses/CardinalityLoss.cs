using DetrSharp.Torch;
using static DetrSharp.Torch.nn;

namespace DetrSharp.Detection.Losses;

/// <summary>
/// SetCriterion's loss_cardinality, for logging only (no grad): the mean absolute error between the number
/// of queries whose argmax is not the last class and the number of targets, per image.
/// </summary>
internal static class CardinalityLoss
{
    /// <param name="logits">[B, Q, C].</param>
    /// <param name="counts">Targets per image.</param>
    public static Tensor Compute(Tensor logits, int[] counts)
    {
        using var noGrad = torch.no_grad();
        long last = logits.size(-1) - 1;
        using var argmax = logits.argmax(-1);                                // [B, Q]
        using var real = argmax.ne(last);
        using var perImage = real.sum(1);                                   // [B]
        using var predicted = perImage.to(ScalarType.Float32);
        using var lengths = torch.tensor(counts.Select(c => (float)c).ToArray(), [counts.Length], ScalarType.Float32, logits.device); // [B]
        return functional.l1_loss(predicted, lengths);
    }
}
