namespace DetrSharp.Detection.Losses;

/// <summary>The loss groups SetCriterion can compute (the reference's 'labels', 'boxes', 'cardinality', 'masks').</summary>
public enum CriterionLoss
{
    /// <summary>loss_ce (and class_error on the last layer).</summary>
    Labels,
    /// <summary>loss_bbox (L1) and loss_giou.</summary>
    Boxes,
    /// <summary>cardinality_error (logging only, no grad).</summary>
    Cardinality,
    /// <summary>loss_mask (sigmoid focal) and loss_dice, last layer only.</summary>
    Masks,
}
