using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// A classification matching cost: how much assigning each prediction to each target's class costs,
/// already multiplied by its weight. Batched over any leading dims; computed without gradient.
/// </summary>
public interface IClassMatchCost
{
    /// <summary>The factor the cost is multiplied by.</summary>
    double Weight { get; }

    /// <summary>The weighted cost of every (prediction, target) pair, as mmdetection's match costs.</summary>
    /// <param name="logits">[..., Q, C] classification logits.</param>
    /// <param name="labels">[..., T] int64 target classes in [0, C).</param>
    /// <returns>[..., Q, T], contiguous.</returns>
    Tensor Compute(Tensor logits, Tensor labels);

    /// <summary>The same costs laid out target-major, the matcher's layout.</summary>
    /// <param name="logits">[..., Q, C] classification logits.</param>
    /// <param name="labels">[..., T] int64 target classes in [0, C).</param>
    /// <returns>[..., T, Q], contiguous.</returns>
    Tensor ComputeTargetMajor(Tensor logits, Tensor labels);
}
