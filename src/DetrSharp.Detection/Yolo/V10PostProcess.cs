using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// YOLOv10's NMS-free selection (ultralytics/utils/ops.py v10postprocess): the <c>maxDet</c> anchors with the
/// highest best-class score, then the <c>maxDet</c> highest (anchor, class) scores among them, sorted by score. An
/// anchor may appear with several classes. The reference fails when there are fewer anchors than maxDet; here the
/// first stage keeps min(maxDet, anchors) anchors and the second min(maxDet, kept anchors × classes) pairs, which
/// is the reference's result whenever it has one.
/// </summary>
public static class V10PostProcess
{
    /// <summary>Selects the detections.</summary>
    /// <param name="preds">[batch, anchors, 4 + classes]: boxes then class scores.</param>
    /// <param name="maxDet">Detections per image (300).</param>
    /// <param name="numClasses">Number of classes.</param>
    /// <returns>boxes [batch, k, 4] (the input's box format), scores [batch, k], labels [batch, k] int64.</returns>
    public static (Tensor Boxes, Tensor Scores, Tensor Labels) Select(Tensor preds, int maxDet, long numClasses)
    {
        if (preds.dim() != 3 || preds.shape[2] != 4 + numClasses)
            throw new ArgumentException($"v10postprocess: preds must be [batch, anchors, 4 + {numClasses}], got [{string.Join(", ", preds.shape)}]", nameof(preds));
        if (maxDet < 1) throw new ArgumentOutOfRangeException(nameof(maxDet), maxDet, "v10postprocess: maxDet must be at least 1");
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var input = preds.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? preds.to(ScalarType.Float32) : preds; // post-processing in float32
        var parts = input.split(new[] { 4L, numClasses }, -1);
        var (boxes, scores) = (parts[0], parts[1]);                                       // [B, A, 4], [B, A, C]
        long firstK = Math.Min(maxDet, preds.shape[1]);
        var (_, anchorIdx) = scores.amax(-1).topk(firstK, -1);                             // [B, k1]
        var idx = anchorIdx.unsqueeze(-1);
        var keptBoxes = boxes.gather(1, idx.expand(-1, -1, 4));                            // [B, k1, 4]
        var keptScores = scores.gather(1, idx.expand(-1, -1, numClasses));                 // [B, k1, C]
        long secondK = Math.Min(maxDet, firstK * numClasses);
        var (top, flat) = keptScores.flatten(1).topk(secondK, -1);                         // [B, k]
        var labels = flat.remainder(numClasses);
        var which = flat.floor_divide(numClasses);                                          // [B, k]
        var outBoxes = keptBoxes.gather(1, which.unsqueeze(-1).expand(-1, -1, 4));         // [B, k, 4]
        scope.MoveToOuter(outBoxes, top, labels);
        return (outBoxes, top, labels);
    }
}
