using DetrSharp.Detection.Matching;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Losses;

/// <summary>What one SetCriterion pass produced: the named losses and the matchings they used.</summary>
public sealed class CriterionResult
{
    internal CriterionResult(Dictionary<string, Tensor> losses, ImageMatch[] indices, ImageMatch[][] auxIndices, double numBoxes)
    {
        Losses = losses;
        Indices = indices;
        AuxIndices = auxIndices;
        NumBoxes = numBoxes;
    }

    /// <summary>The named 0-d losses, in the reference's order (last layer first, then _0 .. _n).</summary>
    public Dictionary<string, Tensor> Losses { get; }

    /// <summary>The last layer's matching, per image.</summary>
    public ImageMatch[] Indices { get; }

    /// <summary>Each aux layer's matching, per image.</summary>
    public ImageMatch[][] AuxIndices { get; }

    /// <summary>The normaliser: max(targets in the batch (averaged over workers), 1).</summary>
    public double NumBoxes { get; }
}
