using DetrSharp.Torch;

namespace DetrSharp.Detection.Losses;

/// <summary>
/// A detector's predictions as SetCriterion reads them (the reference's outputs dict): the last decoder
/// layer's logits and boxes, optionally masks, and each earlier layer's (aux_outputs). The caller owns the tensors.
/// </summary>
public sealed class DetectionOutput
{
    /// <summary>Creates the predictions of one layer, with the earlier layers' as <paramref name="auxOutputs"/>.</summary>
    /// <param name="predLogits">[batch, queries, classes (+ 1 with a no-object class)] logits.</param>
    /// <param name="predBoxes">[batch, queries, 4] normalised (cx, cy, w, h) boxes.</param>
    /// <param name="predMasks">[batch, queries, h, w] mask logits, or null.</param>
    /// <param name="auxOutputs">The intermediate decoder layers' predictions (their own aux lists are ignored).</param>
    public DetectionOutput(Tensor predLogits, Tensor predBoxes, Tensor? predMasks = null, IReadOnlyList<DetectionOutput>? auxOutputs = null)
    {
        ArgumentNullException.ThrowIfNull(predLogits);
        ArgumentNullException.ThrowIfNull(predBoxes);
        PredLogits = predLogits;
        PredBoxes = predBoxes;
        PredMasks = predMasks;
        AuxOutputs = auxOutputs ?? [];
    }

    /// <summary>[batch, queries, classes] logits.</summary>
    public Tensor PredLogits { get; }

    /// <summary>[batch, queries, 4] boxes.</summary>
    public Tensor PredBoxes { get; }

    /// <summary>[batch, queries, h, w] mask logits, or null.</summary>
    public Tensor? PredMasks { get; }

    /// <summary>Intermediate decoder layers, first to last (aux_outputs).</summary>
    public IReadOnlyList<DetectionOutput> AuxOutputs { get; }
}
