using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// The softmax classification cost of DETR's matcher and mmdetection's ClassificationCost:
/// -softmax(logits)[target class] × weight (the reference's 1 - p with the constant dropped).
/// </summary>
public sealed class ClassificationCost : IClassMatchCost
{
    /// <param name="weight">The cost's weight (DETR's cost_class).</param>
    public ClassificationCost(double weight = 1.0) => Weight = weight;

    /// <inheritdoc/>
    public double Weight { get; }

    /// <inheritdoc/>
    public Tensor ComputeTargetMajor(Tensor logits, Tensor labels)
    {
        using var cost = Compute(logits, labels);                            // [..., Q, T]
        return LabelGather.ToTargetMajor(cost);                              // [..., T, Q]
    }

    /// <inheritdoc/>
    public Tensor Compute(Tensor logits, Tensor labels)
    {
        using var noGrad = torch.no_grad();
        using var prob = logits.softmax(-1);                                 // [..., Q, C]
        var cost = LabelGather.QueryMajor(prob, labels, "ClassificationCost"); // [..., Q, T]
        return cost.mul_(-Weight);                                           // w × (-p), exactly
    }
}
