using DetrSharp.Detection.Boxes;
using DetrSharp.Detection.Models;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO's <c>PostProcess</c>: sigmoid scores of every (query, class) pair, the top num_select of them per image
/// (label = index % classes, query = index / classes; one query can give several labels), boxes from cxcywh to
/// xyxy scaled to each image's (height, width) in pixels. No NMS (the reference's default).
/// </summary>
public static class DinoPostProcess
{
    /// <summary>The reference's default num_select.</summary>
    public const int DefaultNumSelect = 300;

    /// <param name="outputs">the model's output (its last layer's logits and boxes are used)</param>
    /// <param name="targetSizes">[B, 2] (height, width) of each image</param>
    /// <param name="numSelect">detections kept per image; at most queries × classes (the reference's topk would raise)</param>
    public static IReadOnlyList<DetectionResult> Process(DinoOutput outputs, Tensor targetSizes, int numSelect = DefaultNumSelect)
        => Process(outputs.PredLogits, outputs.PredBoxes, targetSizes, numSelect);

    /// <param name="predLogits">[B, Q, K] class logits (sigmoid, no no-object column)</param>
    /// <param name="predBoxes">[B, Q, 4] normalised cxcywh</param>
    /// <param name="targetSizes">[B, 2] (height, width)</param>
    /// <param name="numSelect">detections kept per image</param>
    /// <returns>per image: scores [k] descending, labels [k] int64, boxes [k, 4] absolute xyxy</returns>
    public static IReadOnlyList<DetectionResult> Process(Tensor predLogits, Tensor predBoxes, Tensor targetSizes, int numSelect = DefaultNumSelect)
    {
        var ls = predLogits.shape;
        if (ls.Length != 3)
            throw new ArgumentException($"DinoPostProcess: pred_logits must be [batch, queries, classes], got {ShapeText.Format(ls)}", nameof(predLogits));
        if (!predBoxes.shape.SequenceEqual(new[] { ls[0], ls[1], 4L }))
            throw new ArgumentException($"DinoPostProcess: pred_boxes must be [{ls[0]}, {ls[1]}, 4], got {ShapeText.Format(predBoxes)}", nameof(predBoxes));
        if (!targetSizes.shape.SequenceEqual(new[] { ls[0], 2L }))
            throw new ArgumentException($"DinoPostProcess: target_sizes must be [{ls[0]}, 2] (height, width) rows, one per image, got {ShapeText.Format(targetSizes)}", nameof(targetSizes));
        if (numSelect < 1) throw new ArgumentOutOfRangeException(nameof(numSelect), numSelect, "DinoPostProcess: num_select must be at least 1");

        using var scope = torch.NewDisposeScope();
        long b = ls[0], q = ls[1], k = ls[2];
        long select = Math.Min(numSelect, q * k);
        var prob = predLogits.detach().sigmoid().view(b, q * k);                          // [B, Q·K]
        var (scores, indices) = prob.topk(select, 1);                                     // [B, n]
        var queries = indices.floor_divide(k);                                            // [B, n]
        var labels = indices.remainder(k);                                                // [B, n]
        var xyxy = BoxConvert.CxcywhToXyxy(predBoxes.detach());                          // [B, Q, 4]
        var boxes = xyxy.gather(1, queries.unsqueeze(-1).expand(b, select, 4));           // [B, n, 4]
        var sizes = targetSizes.to(boxes.dtype);                                          // [B, 2] (h, w)
        var h = sizes.select(1, 0);
        var w = sizes.select(1, 1);
        var scale = torch.stack(new[] { w, h, w, h }, 1).unsqueeze(1);                    // [B, 1, 4]
        boxes = boxes.mul(scale);
        var results = new DetectionResult[b];
        for (int i = 0; i < b; i++)
        {
            results[i] = new DetectionResult(scores[i].clone(), labels[i].clone(), boxes[i].clone());
            scope.MoveToOuter(results[i].Scores, results[i].Labels, results[i].Boxes);
        }
        return results;
    }
}
