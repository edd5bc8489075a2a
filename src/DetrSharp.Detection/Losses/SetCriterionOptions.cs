namespace DetrSharp.Detection.Losses;

/// <summary>
/// Settings of <see cref="SetCriterion"/> beyond the reference constructor's (num_classes, matcher,
/// weight_dict, eos_coef, losses): the label-loss kind and the hooks a training loop needs.
/// </summary>
public sealed record SetCriterionOptions
{
    /// <summary>Cross entropy with a no-object class (DETR) or sigmoid focal (DINO / Deformable DETR).</summary>
    public LabelLossKind LabelLoss { get; init; } = LabelLossKind.CrossEntropy;

    /// <summary>α of the focal label loss.</summary>
    public double FocalAlpha { get; init; } = 0.25;

    /// <summary>γ of the focal label loss.</summary>
    public double FocalGamma { get; init; } = 2;

    /// <summary>Added to the GIoU loss's denominators: 0 for DETR, 1e-6 for DINO's box ops.</summary>
    public double GiouEps { get; init; }

    /// <summary>Also log DINO's loss_xy and loss_hw (the L1 split into centre and size; no grad).</summary>
    public bool LogBoxComponents { get; init; }

    /// <summary>
    /// In distributed training, turns this worker's target count into the mean over workers
    /// (all_reduce(num_boxes) / world_size); the result is then clamped to at least 1. Null for one process.
    /// </summary>
    public Func<double, double>? ReduceNumBoxes { get; init; }

    /// <summary>DINO's label and box losses: focal (α 0.25, γ 2), 1e-6 in the GIoU, loss_xy / loss_hw logged.</summary>
    public static SetCriterionOptions Dino => new()
    {
        LabelLoss = LabelLossKind.SigmoidFocal, FocalAlpha = 0.25, FocalGamma = 2, GiouEps = 1e-6, LogBoxComponents = true,
    };
}
