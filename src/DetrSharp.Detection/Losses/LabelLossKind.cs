namespace DetrSharp.Detection.Losses;

/// <summary>How SetCriterion's loss_ce is computed.</summary>
public enum LabelLossKind
{
    /// <summary>DETR: cross entropy over classes + no-object, the no-object class weighted by eos_coef.</summary>
    CrossEntropy,
    /// <summary>
    /// DINO / Deformable DETR: sigmoid focal loss against one-hot targets (no no-object column),
    /// focal.mean(1).sum() / num_boxes × queries.
    /// </summary>
    SigmoidFocal,
}
