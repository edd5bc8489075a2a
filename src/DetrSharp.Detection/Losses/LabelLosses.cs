using DetrSharp.Torch;
using static DetrSharp.Torch.nn;

namespace DetrSharp.Detection.Losses;

/// <summary>SetCriterion's loss_labels: loss_ce (cross entropy or sigmoid focal) and class_error.</summary>
internal static class LabelLosses
{
    /// <summary>
    /// DETR: F.cross_entropy(logits.transpose(1, 2), target_classes, empty_weight), a weighted mean (the sum
    /// of w[y]·NLL divided by the sum of w[y]).
    /// </summary>
    /// <param name="logits">[B, Q, classes + 1].</param>
    /// <param name="emptyWeight">[classes + 1]: 1, and eos_coef for the no-object class.</param>
    public static Tensor CrossEntropy(Tensor logits, MatchedPairs pairs, Tensor emptyWeight)
    {
        using var classFirst = logits.transpose(1, 2);                       // [B, classes + 1, Q]
        return functional.cross_entropy(classFirst, pairs.TargetClasses, emptyWeight);
    }

    /// <summary>
    /// DINO: sigmoid_focal_loss(logits, one_hot(target_classes)[..., :-1], num_boxes, α, γ) × Q.
    /// </summary>
    /// <param name="logits">[B, Q, classes].</param>
    public static Tensor SigmoidFocal(Tensor logits, MatchedPairs pairs, long numClasses, double numBoxes, double alpha, double gamma)
    {
        var s = logits.shape;
        using var onehotFull = torch.zeros([s[0], s[1], numClasses + 1], logits.dtype, logits.device); // [B, Q, classes + 1]
        using var index = pairs.TargetClasses.unsqueeze(-1);                   // [B, Q, 1]
        onehotFull.scatter_(2, index, 1);
        using var onehot = onehotFull.slice(2, 0, numClasses);                 // [B, Q, classes]
        using var focal = SigmoidFocalLoss.Compute(logits, onehot, numBoxes, alpha, gamma);
        return focal.mul(s[1]);
    }

    /// <summary>100 - top-1 accuracy (%) over the matched queries, the argmax over every logit; 100 with no match.</summary>
    /// <param name="logits">[B, Q, C].</param>
    public static Tensor ClassError(Tensor logits, MatchedPairs pairs)
    {
        using var noGrad = torch.no_grad();
        if (pairs.Count == 0)
        {
            using var zero = torch.zeros([], logits.dtype, logits.device);
            return 100 - zero;
        }
        using var matched = pairs.SelectPredictions(logits);                 // [M, C]
        var (_, pred) = matched.topk(1, 1, true, true);                     // [M, 1]
        using (pred)
        {
            using var target = pairs.MatchedClasses.view(-1, 1);            // [M, 1]
            using var correct = pred.eq(target);
            using var correctF = correct.to(ScalarType.Float32);
            using var count = correctF.sum();
            using var accuracy = count.mul(100.0 / pairs.Count);
            return 100 - accuracy;
        }
    }
}
