using DetrSharp.Detection.Families;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// Box decoding of the anchor-free YOLO heads: each side distance is the expectation of a softmax over
/// <c>reg_max</c> bins (the DFL layer: softmax · [0, 1, ..., reg_max - 1]), turned into a box around the anchor.
/// <see cref="TrainBoxes"/> is v8DetectionLoss.bbox_decode (xyxy, grid units); <see cref="Inference"/> is
/// Detect.inference (xywh in input pixels, class scores after sigmoid).
/// </summary>
public static class YoloBoxDecoder
{
    /// <summary>The expected distance of each side.</summary>
    /// <param name="logits">[..., 4 · bins] logits, side-major (all bins of the left side first).</param>
    /// <param name="bins">The head's reg_max (16).</param>
    /// <returns>[..., 4] distances in bin (grid) units.</returns>
    public static Tensor Expectation(Tensor logits, long bins)
    {
        var s = logits.shape;
        if (s.Length == 0 || s[^1] != 4 * bins)
            throw new ArgumentException($"DFL decode: the last dim must be 4·{bins} = {4 * bins}, got [{string.Join(", ", s)}]", nameof(logits));
        using var scope = torch.NewDisposeScope();
        long[] split = [.. s[..^1], 4, bins];
        var proj = torch.arange(bins, logits.dtype, logits.device);                      // [bins]
        return scope.MoveToOuter(logits.reshape(split).softmax(-1).matmul(proj));         // [..., 4]
    }

    /// <summary>v8DetectionLoss.bbox_decode: predicted boxes from the distance logits.</summary>
    /// <param name="anchorPoints">[anchors, 2] grid units.</param>
    /// <param name="predDist">[batch, anchors, 4 · bins].</param>
    /// <param name="bins">reg_max; 1 means the logits are the distances themselves (no DFL).</param>
    /// <returns>[batch, anchors, 4] xyxy, grid units.</returns>
    public static Tensor TrainBoxes(Tensor anchorPoints, Tensor predDist, long bins)
    {
        if (bins <= 1) return YoloAnchors.Dist2Bbox(predDist, anchorPoints, xywh: false);
        using var dist = Expectation(predDist, bins);                                    // [B, A, 4]
        return YoloAnchors.Dist2Bbox(dist, anchorPoints, xywh: false);
    }

    /// <summary>
    /// Detect.inference on raw head outputs: boxes decoded to centre/size in input pixels and class scores after
    /// sigmoid, for every anchor of every level.
    /// </summary>
    /// <param name="feats">Per level [batch, 4 · bins + classes, H, W] (box logits first).</param>
    /// <param name="strides">Per level stride in input pixels.</param>
    /// <param name="numClasses">Number of classes.</param>
    /// <param name="bins">reg_max (16).</param>
    /// <returns>[batch, 4 + classes, anchors]: (cx, cy, w, h) pixels, then scores.</returns>
    public static Tensor Inference(IReadOnlyList<Tensor> feats, IReadOnlyList<double> strides, long numClasses, long bins = 16)
    {
        long no = 4 * bins + numClasses;
        foreach (var f in feats)
            if (f.dim() != 4 || f.shape[1] != no)
                throw new ArgumentException($"Detect.inference: each feature map must be [batch, {no}, H, W] (4·{bins} + {numClasses}), got [{string.Join(", ", f.shape)}]", nameof(feats));
        using var scope = torch.NewDisposeScope();
        using var fp32 = Float32Region.Enter(feats[0]);                                    // decoding stays float32 under autocast
        long bs = feats[0].shape[0];
        var cat = torch.cat(feats.Select(f => fp32.Cast(f).view(bs, no, -1)).ToArray(), 2);  // [B, no, A]
        var parts = cat.split(new[] { 4 * bins, numClasses }, 1);
        var (anchors, strideTensor) = YoloAnchors.MakeAnchors(feats, strides, 0.5);        // [A, 2], [A, 1]
        var dist = Expectation(parts[0].transpose(1, 2), bins).transpose(1, 2);            // [B, 4, A]
        var boxes = YoloAnchors.Dist2Bbox(dist, anchors.transpose(0, 1).unsqueeze(0), xywh: true, dim: 1)
                    * strideTensor.transpose(0, 1);                                        // [B, 4, A]
        return scope.MoveToOuter(torch.cat(new[] { boxes, parts[1].sigmoid() }, 1));       // [B, 4 + nc, A]
    }
}
