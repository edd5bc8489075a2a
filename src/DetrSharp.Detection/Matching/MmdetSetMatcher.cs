using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// mmdetection's HungarianAssigner (seed 004) as a set matcher for DETR's criterion: per image and layer, its
/// cost spaces (class cost on the logits, L1 on normalised boxes, IoU on pixel boxes of the transformed image),
/// solved by linear sum assignment; the matched (query, target) pairs feed the same losses as DETR's matcher.
/// </summary>
public sealed class MmdetSetMatcher : ISetMatcher
{
    public MmdetSetMatcher(HungarianAssigner assigner) => Assigner = assigner ?? throw new ArgumentNullException(nameof(assigner));

    /// <summary>DETR's cost weights in mmdetection's DETR config: ClassificationCost, BBoxL1Cost (xyxy, as mmdetection's DETR), GIoU IoUCost.</summary>
    public static MmdetSetMatcher FromWeights(double costClass, double costBbox, double costGiou)
        => new(new HungarianAssigner(new ClassificationCost(costClass), new BBoxL1Cost(costBbox), new IoUCost(Boxes.IouMode.Giou, costGiou)));

    public HungarianAssigner Assigner { get; }

    public ImageMatch[][] MatchLayers(IReadOnlyList<(Tensor PredLogits, Tensor PredBoxes)> layers, TargetBatch targets)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(targets);
        using var noGrad = torch.no_grad();
        var result = new ImageMatch[layers.Count][];
        for (int l = 0; l < layers.Count; l++)
        {
            var (logits, boxes) = layers[l];
            result[l] = new ImageMatch[targets.BatchSize];
            for (int b = 0; b < targets.BatchSize; b++)
            {
                var target = targets.Targets[b];
                if (target.Count == 0)
                {
                    result[l][b] = ImageMatch.Empty;
                    continue;
                }
                using var scope = torch.NewDisposeScope();
                // mmdetection's ground truth is pixel xyxy of the image as transformed (img_shape); ours is normalised
                // cxcywh of that image: scale back by its size (1 x 1 when the target does not know it)
                var (h, w) = target.Size is (> 0, > 0) s ? s : (1, 1);
                var scale = torch.tensor(new float[] { w, h, w, h }, [1, 4], device: target.Boxes.device);          // [1, 4]
                var gtPixels = Boxes.BoxConvert.CxcywhToXyxy(target.Boxes.to(ScalarType.Float32)) * scale;        // [n, 4]
                var assigned = Assigner.Assign(boxes[b], logits[b], gtPixels, target.Labels, h, w);
                var src = new List<long>();
                var tgt = new List<long>();
                for (int q = 0; q < assigned.AssignedGtInds.Length; q++)
                    if (assigned.AssignedGtInds[q] > 0)
                    {
                        src.Add(q);
                        tgt.Add(assigned.AssignedGtInds[q] - 1);
                    }
                result[l][b] = new ImageMatch(src.ToArray(), tgt.ToArray());
            }
        }
        return result;
    }
}
