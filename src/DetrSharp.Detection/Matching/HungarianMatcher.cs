using DetrSharp.Detection.Boxes;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// DETR's (and DINO's) HungarianMatcher: a one-to-one assignment of predictions to targets minimising
/// cost_bbox · L1(box) + cost_class · class cost + cost_giou · (-GIoU), per image, solved with scipy's
/// linear_sum_assignment semantics.
/// </summary>
/// <remarks>
/// The reference computes the cost of every query of the batch against every target of the batch and then
/// keeps each image's own block. Here only those blocks are computed — queries of image b against targets
/// of image b, the targets padded to the largest count — in a few batched tensor ops laid out target-major
/// ([B, T, Q], so the innermost loops run over the queries) with intermediates reused in place; each block is
/// copied out once, and all images (of all decoder layers, with <see cref="MatchLayers"/>) are solved in
/// parallel. The block values are the reference's, element for element. Runs under no_grad. The blocks
/// are handed to the assignment as float32 (half-precision costs widen exactly; float64 ones are rounded).
/// </remarks>
public sealed class HungarianMatcher : ISetMatcher
{
    readonly IClassMatchCost _classCost;

    /// <summary>Creates a matcher.</summary>
    /// <exception cref="ArgumentException">All three weights are 0 (the reference's assert).</exception>
    public HungarianMatcher(HungarianMatcherOptions? options = null)
    {
        Options = options ?? new HungarianMatcherOptions();
        if (Options.CostClass == 0 && Options.CostBbox == 0 && Options.CostGiou == 0)
            throw new ArgumentException("HungarianMatcher: all costs can't be 0", nameof(options));
        _classCost = Options.ClassCost switch
        {
            MatchClassCostKind.Softmax => new ClassificationCost(Options.CostClass),
            MatchClassCostKind.Focal => new FocalLossCost(Options.CostClass, Options.FocalAlpha, Options.FocalGamma, Options.FocalEps),
            _ => throw new ArgumentOutOfRangeException(nameof(options), Options.ClassCost, "unknown class cost"),
        };
    }

    /// <summary>A softmax-cost matcher with the given weights, as HungarianMatcher(cost_class, cost_bbox, cost_giou).</summary>
    public HungarianMatcher(double costClass, double costBbox, double costGiou)
        : this(new HungarianMatcherOptions { CostClass = costClass, CostBbox = costBbox, CostGiou = costGiou })
    {
    }

    /// <summary>The weights and kinds of cost.</summary>
    public HungarianMatcherOptions Options { get; }

    /// <summary>Matches one set of predictions to the targets.</summary>
    /// <param name="predLogits">[batch, queries, classes] logits.</param>
    /// <param name="predBoxes">[batch, queries, 4] normalised (cx, cy, w, h) boxes.</param>
    /// <param name="targets">One target per image.</param>
    /// <returns>One matching per image, src sorted, min(queries, n) pairs; empty for an image without targets.</returns>
    public ImageMatch[] Match(Tensor predLogits, Tensor predBoxes, IReadOnlyList<DetectionTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(predBoxes);
        using var batch = TargetBatch.Create(targets, predBoxes.device, predBoxes.dtype);
        return Match(predLogits, predBoxes, batch);
    }

    /// <summary>Matches one set of predictions to targets gathered on the predictions' device and dtype.</summary>
    /// <param name="predLogits">[batch, queries, classes] logits.</param>
    /// <param name="predBoxes">[batch, queries, 4] normalised (cx, cy, w, h) boxes.</param>
    /// <param name="targets">The batch's targets (<see cref="TargetBatch.Create"/> with the predictions' device and dtype).</param>
    /// <returns>One matching per image, src sorted, min(queries, n) pairs; empty for an image without targets.</returns>
    public ImageMatch[] Match(Tensor predLogits, Tensor predBoxes, TargetBatch targets)
        => MatchLayers([(predLogits, predBoxes)], targets)[0];

    /// <summary>
    /// Matches several sets of predictions (the decoder layers) to the same targets, solving every image of
    /// every layer in one batch (on the thread pool once it holds
    /// <see cref="HungarianMatcherOptions.ParallelMinEntries"/> cost entries).
    /// </summary>
    /// <param name="layers">Each layer's ([batch, queries, classes] logits, [batch, queries, 4] boxes).</param>
    /// <param name="targets">The batch's targets.</param>
    /// <returns>result[layer][image].</returns>
    public ImageMatch[][] MatchLayers(IReadOnlyList<(Tensor PredLogits, Tensor PredBoxes)> layers, TargetBatch targets)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(targets);
        long capacity = 0;
        foreach (var (logits, boxes) in layers)
            capacity += (long)CheckInputs(logits, boxes, targets) * targets.Total;

        using var noGrad = torch.no_grad();
        using var blocks = new CostBlockSet(capacity);
        if (targets.Total > 0)
        {
            for (int l = 0; l < layers.Count; l++)
            {
                using var costs = ComputeBlocks(layers[l].PredLogits, layers[l].PredBoxes, targets); // [B, T, Q]
                blocks.Add(l, costs, targets.Counts);
            }
        }
        return blocks.Solve(layers.Count, targets.BatchSize, Options.MaxDegreeOfParallelism, Options.ParallelMinEntries, "HungarianMatcher");
    }

    /// <summary>
    /// The batch's cost blocks: image b's predictions against image b's targets, padded to the largest
    /// target count T (columns at or past an image's count are padding).
    /// </summary>
    /// <returns>[batch, queries, T] float costs (no grad).</returns>
    public Tensor CostBlocks(Tensor predLogits, Tensor predBoxes, TargetBatch targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        CheckInputs(predLogits, predBoxes, targets);
        using var noGrad = torch.no_grad();
        using var targetMajor = ComputeBlocks(predLogits, predBoxes, targets);     // [B, T, Q]
        using var queryMajor = targetMajor.transpose(1, 2);
        return queryMajor.contiguous();                                            // [B, Q, T]
    }

    /// <summary>The per-image cost matrices handed to the assignment: [queries × n_b] row-major floats each.</summary>
    public float[][] CostMatrices(Tensor predLogits, Tensor predBoxes, IReadOnlyList<DetectionTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(predBoxes);
        using var batch = TargetBatch.Create(targets, predBoxes.device, predBoxes.dtype);
        long queries = CheckInputs(predLogits, predBoxes, batch);
        using var noGrad = torch.no_grad();
        using var blocks = new CostBlockSet(queries * batch.Total);
        if (batch.Total > 0)
        {
            using var costs = ComputeBlocks(predLogits, predBoxes, batch);
            blocks.Add(0, costs, batch.Counts);
        }
        return blocks.Blocks(batch.BatchSize);
    }

    /// <summary>
    /// C = w_bbox · cdist_1 + w_class · class cost + w_giou · (-GIoU), in the reference's order, laid out
    /// target-major [B, T, Q] (every value as the reference's, element for element).
    /// </summary>
    Tensor ComputeBlocks(Tensor predLogits, Tensor predBoxes, TargetBatch targets)
    {
        var tgtXyxy = targets.PaddedBoxesXyxy("HungarianMatcher");                 // [B, T, 4]
        using var predXyxy = BoxConvert.CxcywhToXyxy(predBoxes);                   // [B, Q, 4]
        BoxChecks.NotDegenerate(predXyxy, "pred_boxes (as xyxy)", "HungarianMatcher");
        var cost = torch.cdist(targets.PaddedBoxes, predBoxes, 1.0);               // [B, T, Q]: |t - p| = |p - t|
        cost.mul_(Options.CostBbox);
        using (var classCost = _classCost.ComputeTargetMajor(predLogits, targets.PaddedLabels)) // [B, T, Q], weighted
            cost.add_(classCost);
        using (var giou = PairwiseGiouCost.TargetMajor(predXyxy, tgtXyxy, Options.GiouEps))    // [B, T, Q]
            cost.add_(giou.mul_(-Options.CostGiou));                               // w · (-GIoU), exactly
        return cost;                                                               // [B, T, Q]
    }

    /// <summary>Checks the shapes against each other and the targets; returns the query count.</summary>
    static long CheckInputs(Tensor predLogits, Tensor predBoxes, TargetBatch targets)
    {
        ArgumentNullException.ThrowIfNull(predLogits);
        ArgumentNullException.ThrowIfNull(predBoxes);
        var ls = predLogits.shape;
        var bs = predBoxes.shape;
        if (ls.Length != 3)
            throw new ArgumentException($"HungarianMatcher: pred_logits must be [batch, queries, classes], got [{string.Join(", ", ls)}]", nameof(predLogits));
        if (bs.Length != 3 || bs[2] != 4 || bs[0] != ls[0] || bs[1] != ls[1])
            throw new ArgumentException(
                $"HungarianMatcher: pred_boxes must be [batch, queries, 4] = [{ls[0]}, {ls[1]}, 4], got [{string.Join(", ", bs)}]", nameof(predBoxes));
        if (ls[0] != targets.BatchSize)
            throw new ArgumentException($"HungarianMatcher: {ls[0]} images of predictions but {targets.BatchSize} targets", nameof(targets));
        return ls[1];
    }
}
