using DetrSharp.Detection.Losses;
using DetrSharp.Detection.Matching;
using DetrSharp.Torch;
using static DetrSharp.Torch.nn;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// ultralytics' v8DetectionLoss: task-aligned assignment (alpha 0.5, beta 6) of the batch's boxes to the anchors of
/// the decoded predictions, then BCE-with-logits against the soft target scores, CIoU and DFL on the foreground,
/// each divided by the target score sum (at least 1) and scaled by its gain.
/// </summary>
public sealed class V8DetectionLoss
{
    /// <summary>Number of classes.</summary>
    public long NumClasses { get; }
    /// <summary>Distance bins per side (the head's reg_max, 16).</summary>
    public long RegMax { get; }
    /// <summary>Stride of each head level in input pixels.</summary>
    public IReadOnlyList<double> Strides { get; }
    /// <summary>Box, class and DFL gains.</summary>
    public YoloLossGains Gains { get; }
    /// <summary>The assigner (topk as given, alpha 0.5, beta 6).</summary>
    public TaskAlignedAssigner Assigner { get; }

    readonly BboxLoss _bboxLoss;

    /// <param name="numClasses">The head's nc.</param>
    /// <param name="strides">The head's strides (8, 16, 32).</param>
    /// <param name="regMax">The head's reg_max.</param>
    /// <param name="gains">hyp.box / hyp.cls / hyp.dfl (7.5, 0.5, 1.5 by default).</param>
    /// <param name="talTopk">Candidates per box: 10 (v8, v10 one-to-many) or 1 (v10 one-to-one).</param>
    public V8DetectionLoss(long numClasses, IReadOnlyList<double> strides, long regMax = 16, YoloLossGains? gains = null, int talTopk = 10)
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "v8DetectionLoss: numClasses must be at least 1");
        if (strides.Count == 0) throw new ArgumentException("v8DetectionLoss: no strides", nameof(strides));
        if (regMax < 1) throw new ArgumentOutOfRangeException(nameof(regMax), regMax, "v8DetectionLoss: regMax must be at least 1");
        (NumClasses, Strides, RegMax, Gains) = (numClasses, strides.ToArray(), regMax, gains ?? YoloLossGains.Default);
        Assigner = new TaskAlignedAssigner(talTopk, (int)numClasses, alpha: 0.5, beta: 6.0);
        _bboxLoss = new BboxLoss(regMax - 1, useDfl: regMax > 1);
    }

    /// <summary>The loss of one batch.</summary>
    /// <param name="feats">Per level [batch, 4 · reg_max + classes, H, W] raw head outputs (box logits first).</param>
    /// <param name="targets">The batch's boxes (normalised xywh, image index, class).</param>
    public YoloLossOutput Compute(IReadOnlyList<Tensor> feats, YoloTargets targets)
    {
        long no = NumClasses + 4 * RegMax;
        if (feats.Count != Strides.Count)
            throw new ArgumentException($"v8DetectionLoss: {feats.Count} feature maps for {Strides.Count} strides", nameof(feats));
        foreach (var f in feats)
            if (f.dim() != 4 || f.shape[1] != no || f.shape[0] != feats[0].shape[0])
                throw new ArgumentException($"v8DetectionLoss: each feature map must be [batch, {no}, H, W], got [{string.Join(", ", f.shape)}]", nameof(feats));

        using var scope = torch.NewDisposeScope();
        long bs = feats[0].shape[0];
        // Under mixed precision the loss, the assignment and the decoding still run in float32 (DESIGN.md).
        var maps = feats.Select(f => f.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? f.to(ScalarType.Float32) : f).ToArray();
        var cat = torch.cat(maps.Select(f => f.view(bs, no, -1)).ToArray(), 2);             // [B, no, A]
        var parts = cat.split(new[] { 4 * RegMax, NumClasses }, 1);
        var predDistri = parts[0].permute(0, 2, 1).contiguous();                            // [B, A, 4 · reg_max]
        var predScores = parts[1].permute(0, 2, 1);                                          // [B, A, nc] view (class-major memory)
        var dtype = predScores.dtype;
        var device = predScores.device;

        var imageHw = (H: feats[0].shape[2] * Strides[0], W: feats[0].shape[3] * Strides[0]);
        var (anchorPoints, strideTensor) = YoloAnchors.MakeAnchors(maps, Strides, 0.5);   // [A, 2], [A, 1]

        var padded = targets.Padded(bs, imageHw, ScalarType.Float32, device);               // [B, n, 5]
        var gtLabels = padded.slice(-1, 0, 1);                                              // [B, n, 1]
        var gtBboxes = padded.slice(-1, 1, 5);                                              // [B, n, 4] xyxy pixels
        var maskGt = gtBboxes.sum(2, keepdim: true).gt(0).to(gtBboxes.dtype);               // [B, n, 1]

        var predBboxes = YoloBoxDecoder.TrainBoxes(anchorPoints, predDistri, RegMax);        // [B, A, 4] xyxy grid units
        using var assigned = Assigner.Forward(
            predScores.detach(),
            (predBboxes.detach() * strideTensor).to(gtBboxes.dtype),
            anchorPoints * strideTensor, gtLabels, gtBboxes, maskGt, scoresAreLogits: true);      // sigmoid taken inside, per candidate

        var scoreSum = assigned.TargetScores.sum();
        var targetScoresSum = 1.0 > scoreSum.item<float>() ? torch.scalar_tensor(1.0, scoreSum.dtype, device) : scoreSum; // max(sum, 1)

        // BCE-with-logits summed over every anchor and class, as softplus(x) - x·t: one fused kernel over
        // [B, A, nc] instead of the composite BCE's dozen, and the x·t term only where t is nonzero (foreground).
        var loss = new Tensor[3];
        var clsSum = functional.softplus(predScores).sum();
        long fgCount;
        using (var count = assigned.FgMask.sum()) fgCount = (long)count.item<double>();
        if (fgCount > 0)
        {
            var fg = assigned.FgMask.to(ScalarType.Bool);                                   // [B, A]
            var fgRows = new Tensor?[] { fg };
            clsSum = clsSum - (predScores.index(fgRows) * assigned.TargetScores.index(fgRows).to(dtype)).sum();
            var targetBboxes = assigned.TargetBboxes / strideTensor;                        // [B, A, 4] grid units
            (loss[0], loss[2]) = _bboxLoss.Forward(predDistri, predBboxes, anchorPoints, targetBboxes,
                assigned.TargetScores, targetScoresSum, fg);
        }
        else loss[0] = loss[2] = torch.zeros(Array.Empty<long>(), dtype, device);
        loss[1] = clsSum / targetScoresSum;
        var items = torch.stack(new[] { loss[0] * Gains.Box, loss[1] * Gains.Cls, loss[2] * Gains.Dfl }); // [3]
        var total = items.sum() * bs;
        var detached = items.detach();
        scope.MoveToOuter(total, detached);
        return new YoloLossOutput(total, detached);
    }
}
