using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// The sigmoid focal classification cost of DINO / Deformable DETR's matcher and mmdetection's FocalLossCost:
/// with p = sigmoid(logit of the target class),
/// pos = α (1 - p)^γ (-log(p + ε)), neg = (1 - α) p^γ (-log(1 - p + ε)), cost = (pos - neg) × weight.
/// Only the gathered logits go through the sigmoid and the logs ([..., Q, T] values, not [..., Q, C]).
/// </summary>
/// <remarks>
/// Products are formed in DINO's order ((1 - α) p^γ) · (-log ...); mmdetection multiplies the log first,
/// which can differ in the last bit.
/// </remarks>
public sealed class FocalLossCost : IClassMatchCost
{
    /// <param name="weight">The cost's weight (DINO's cost_class).</param>
    /// <param name="alpha">α, DINO's focal_alpha.</param>
    /// <param name="gamma">γ.</param>
    /// <param name="eps">ε inside the logs: 1e-8 in DINO, 1e-12 in mmdetection.</param>
    public FocalLossCost(double weight = 1.0, double alpha = 0.25, double gamma = 2.0, double eps = 1e-12)
    {
        Weight = weight;
        Alpha = alpha;
        Gamma = gamma;
        Eps = eps;
    }

    /// <inheritdoc/>
    public double Weight { get; }

    /// <summary>α.</summary>
    public double Alpha { get; }

    /// <summary>γ.</summary>
    public double Gamma { get; }

    /// <summary>ε inside the logs.</summary>
    public double Eps { get; }

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
        using var p = LabelGather.QueryMajor(logits, labels, "FocalLossCost"); // [..., Q, T] logits
        p.sigmoid_();                                                        // p
        using var q = 1 - p;                                                 // 1 - p
        var neg = p.pow(Gamma);                                              // p^γ
        neg.mul_(1 - Alpha);                                                 // (1 - α) p^γ
        using var pos = q.pow(Gamma);                                        // (1 - p)^γ
        pos.mul_(Alpha);                                                     // α (1 - p)^γ
        q.add_(Eps).log_();                                                  // log(1 - p + ε)
        p.add_(Eps).log_();                                                  // log(p + ε)
        neg.mul_(q);                                                         // -neg
        pos.mul_(p);                                                         // -pos
        // pos - neg = (-neg) - (-pos), exactly (negations commute with rounding)
        neg.sub_(pos);
        return neg.mul_(Weight);
    }
}
