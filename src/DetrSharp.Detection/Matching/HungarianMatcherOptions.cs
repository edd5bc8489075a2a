namespace DetrSharp.Detection.Matching;

/// <summary>
/// Settings of <see cref="HungarianMatcher"/>: the weights of its three costs (class, L1 box, GIoU), the
/// class cost's kind, and the GIoU's epsilon. <see cref="Detr"/> and <see cref="Dino"/> are the references'
/// configurations.
/// </summary>
public sealed record HungarianMatcherOptions
{
    /// <summary>Weight of the classification cost (cost_class).</summary>
    public double CostClass { get; init; } = 1;

    /// <summary>Weight of the L1 box cost on (cx, cy, w, h) (cost_bbox).</summary>
    public double CostBbox { get; init; } = 1;

    /// <summary>Weight of the -GIoU cost (cost_giou).</summary>
    public double CostGiou { get; init; } = 1;

    /// <summary>Softmax (DETR) or sigmoid focal (DINO) classification cost.</summary>
    public MatchClassCostKind ClassCost { get; init; } = MatchClassCostKind.Softmax;

    /// <summary>The focal cost's α (DINO's focal_alpha).</summary>
    public double FocalAlpha { get; init; } = 0.25;

    /// <summary>The focal cost's γ.</summary>
    public double FocalGamma { get; init; } = 2.0;

    /// <summary>The focal cost's ε inside the logs (DINO: 1e-8).</summary>
    public double FocalEps { get; init; } = 1e-8;

    /// <summary>Added to the IoU and GIoU denominators: 0 for DETR, 1e-6 for DINO.</summary>
    public double GiouEps { get; init; }

    /// <summary>How many images' assignments are solved at once; -1 for the core count.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>
    /// Below this many cost entries in one call (all images, all layers), the assignments are solved one
    /// after another on the calling thread: a batch of small matrices takes well under a millisecond, less
    /// than handing it to the thread pool is worth (and a busy machine can make the hand-off cost more).
    /// </summary>
    public long ParallelMinEntries { get; init; } = 500_000;

    /// <summary>DETR's configuration (detr.py build: set_cost_class 1, set_cost_bbox 5, set_cost_giou 2).</summary>
    public static HungarianMatcherOptions Detr => new() { CostClass = 1, CostBbox = 5, CostGiou = 2 };

    /// <summary>DINO's configuration (DINO_4scale: 2, 5, 2, focal α 0.25, 1e-6 in the box ops).</summary>
    public static HungarianMatcherOptions Dino => new()
    {
        CostClass = 2, CostBbox = 5, CostGiou = 2, ClassCost = MatchClassCostKind.Focal, FocalAlpha = 0.25, GiouEps = 1e-6,
    };
}
