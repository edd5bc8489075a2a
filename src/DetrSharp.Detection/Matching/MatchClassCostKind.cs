namespace DetrSharp.Detection.Matching;

/// <summary>Which classification cost <see cref="HungarianMatcher"/> uses.</summary>
public enum MatchClassCostKind
{
    /// <summary>DETR: -softmax(logits)[target class] (<see cref="ClassificationCost"/>).</summary>
    Softmax,
    /// <summary>DINO / Deformable DETR: the sigmoid focal cost (<see cref="FocalLossCost"/>).</summary>
    Focal,
}
