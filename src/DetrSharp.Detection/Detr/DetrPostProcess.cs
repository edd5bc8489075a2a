using DetrSharp.Detection.Boxes;
using DetrSharp.Torch;

using DetrSharp.Detection.Models;

namespace DetrSharp.Detection.Detr;

/// <summary>
/// DETR's <c>PostProcess</c> (bbox part): softmax over the classes, drop the no-object column, take each query's
/// best score and label, and turn the normalised (cx, cy, w, h) boxes into absolute (x1, y1, x2, y2) for each
/// image's (height, width) target size (integer or fractional). Runs without gradients.
/// </summary>
public static class DetrPostProcess
{
    /// <summary>Post-processes a model output.</summary>
    /// <param name="outputs">pred_logits [batch, queries, classes + 1] and pred_boxes [batch, queries, 4]</param>
    /// <param name="targetSizes">[batch, 2] rows (height, width), int or float</param>
    public static IReadOnlyList<DetectionResult> Process(DetrOutput outputs, Tensor targetSizes)
        => Process(outputs.PredLogits, outputs.PredBoxes, targetSizes);

    /// <param name="predLogits">[batch, queries, classes + 1]</param>
    /// <param name="predBoxes">[batch, queries, 4] normalised (cx, cy, w, h)</param>
    /// <param name="targetSizes">[batch, 2] rows (height, width), int or float</param>
    /// <returns>one result per image: scores [queries], labels [queries] int64, boxes [queries, 4] (x1, y1, x2, y2)</returns>
    public static IReadOnlyList<DetectionResult> Process(Tensor predLogits, Tensor predBoxes, Tensor targetSizes)
    {
        long batch = CheckShapes(predLogits, predBoxes, targetSizes);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var prob = predLogits.softmax(-1);                                   // [B, Q, C + 1]
        var (scores, labels) = prob[TensorIndex.Ellipsis, TensorIndex.Slice(null, -1)].max(-1); // [B, Q], [B, Q]
        var scaled = AbsoluteXyxy(predBoxes, targetSizes);                   // [B, Q, 4]

        var results = new DetectionResult[batch];
        for (long i = 0; i < batch; i++)
            results[i] = new DetectionResult(
                scope.MoveToOuter(scores.select(0, i)),                        // [Q]
                scope.MoveToOuter(labels.select(0, i)),                        // [Q]
                scope.MoveToOuter(scaled.select(0, i)));                       // [Q, 4]
        return results;
    }

    // The shapes both post-processes need; returns the batch size.
    static long CheckShapes(Tensor predLogits, Tensor predBoxes, Tensor targetSizes)
    {
        var ls = predLogits.shape;
        var bs = predBoxes.shape;
        var ts = targetSizes.shape;
        if (ls.Length != 3 || ls[2] < 2)
            throw new ArgumentException($"DetrPostProcess: pred_logits must be [batch, queries, classes + 1], got {ShapeText.Format(ls)}", nameof(predLogits));
        if (bs.Length != 3 || bs[0] != ls[0] || bs[1] != ls[1] || bs[2] != 4)
            throw new ArgumentException($"DetrPostProcess: pred_boxes must be [{ls[0]}, {ls[1]}, 4], got {ShapeText.Format(bs)}", nameof(predBoxes));
        if (ts.Length != 2 || ts[0] != ls[0] || ts[1] != 2)
            throw new ArgumentException($"DetrPostProcess: target_sizes must be [{ls[0]}, 2] (height, width) rows, one per image, got {ShapeText.Format(ts)}",
                nameof(targetSizes));
        return ls[0];
    }

    // Normalised (cx, cy, w, h) [B, Q, 4] → absolute (x1, y1, x2, y2) [B, Q, 4] for each image's (height, width).
    static Tensor AbsoluteXyxy(Tensor predBoxes, Tensor targetSizes)
    {
        using var scope = torch.NewDisposeScope();
        var boxes = BoxOps.CxcywhToXyxy(predBoxes);                          // [B, Q, 4]
        var sizes = targetSizes.unbind(1);                                   // (h [B], w [B])
        var (imgH, imgW) = (sizes[0], sizes[1]);
        var scale = torch.stack(new[] { imgW, imgH, imgW, imgH }, 1);        // [B, 4]
        return scope.MoveToOuter(boxes.mul(scale.unsqueeze(1)));             // [B, Q, 4]
    }

    /// <summary>
    /// The top-k variant (Deformable DETR's and DINO's PostProcess, here over softmax probabilities): every
    /// (query, class) pair except no-object is a candidate with that class's probability, and the
    /// <paramref name="topK"/> best of the whole image are kept, so an uncertain query may report its box under
    /// several classes. Results are sorted by score.
    /// </summary>
    /// <param name="outputs">pred_logits [batch, queries, classes + 1] and pred_boxes [batch, queries, 4]</param>
    /// <param name="targetSizes">[batch, 2] rows (height, width), int or float</param>
    /// <param name="topK">detections per image (at most queries × classes)</param>
    /// <returns>one result per image: scores [k], labels [k] int64, boxes [k, 4] (x1, y1, x2, y2)</returns>
    public static IReadOnlyList<DetectionResult> ProcessTopK(DetrOutput outputs, Tensor targetSizes, int topK)
    {
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "DetrPostProcess: topK must be at least 1");
        long batch = CheckShapes(outputs.PredLogits, outputs.PredBoxes, targetSizes);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        long classes = outputs.PredLogits.size(-1) - 1;
        var prob = outputs.PredLogits.softmax(-1).narrow(-1, 0, classes);    // [B, Q, C]
        var scaled = AbsoluteXyxy(outputs.PredBoxes, targetSizes);           // [B, Q, 4]
        var results = new DetectionResult[batch];
        for (int i = 0; i < batch; i++)
        {
            var flat = prob.select(0, i).flatten();                          // [Q × C]
            var (scores, index) = flat.topk(Math.Min(topK, flat.size(0)));  // [k], [k]
            var query = index.floor_divide(classes);                          // [k]
            var labels = index.remainder(classes);                           // [k]
            var boxes = scaled.select(0, i).index_select(0, query);          // [k, 4]
            results[i] = new DetectionResult(scope.MoveToOuter(scores), scope.MoveToOuter(labels), scope.MoveToOuter(boxes));
        }
        return results;
    }
}
