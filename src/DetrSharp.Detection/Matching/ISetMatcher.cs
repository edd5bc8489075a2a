using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// A one-to-one matcher as <see cref="Losses.SetCriterion"/> uses it: every decoder layer's predictions against the
/// batch's targets, one <see cref="ImageMatch"/> per image and layer. DETR's <see cref="HungarianMatcher"/> and
/// mmdetection's <see cref="HungarianAssigner"/> (through <see cref="MmdetSetMatcher"/>) both serve.
/// </summary>
public interface ISetMatcher
{
    /// <param name="layers">Each layer's ([batch, queries, classes] logits, [batch, queries, 4] normalised cxcywh boxes).</param>
    /// <param name="targets">The batch's targets.</param>
    /// <returns>result[layer][image], src sorted.</returns>
    ImageMatch[][] MatchLayers(IReadOnlyList<(Tensor PredLogits, Tensor PredBoxes)> layers, TargetBatch targets);
}
