using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// One branch of a YOLO head: the raw per-level maps (what training and the loss take) and, in eval mode,
/// the decoded predictions (ultralytics Detect returns (y, x) in eval and x in training).
/// </summary>
public sealed class DetectOutput : IDisposable
{
    public DetectOutput(IReadOnlyList<Tensor> feats, Tensor? decoded)
    {
        Feats = feats;
        Decoded = decoded;
    }

    /// <summary>Per level [B, 4 * reg_max + nc, H_l, W_l]: box distribution logits then class logits.</summary>
    public IReadOnlyList<Tensor> Feats { get; }

    /// <summary>
    /// Eval mode only: [B, 4 + nc, A], boxes (cx, cy, w, h) in input pixels then class probabilities
    /// (sigmoid); anchors of all levels concatenated. Null in training mode.
    /// </summary>
    public Tensor? Decoded { get; }

    public void Dispose()
    {
        foreach (var f in Feats) f.Dispose();
        Decoded?.Dispose();
    }
}

/// <summary>
/// What a YOLO model returns: YOLOv8 has only <see cref="One2Many"/>; YOLOv10 adds the one-to-one
/// branch (computed on detached features) used for NMS-free decoding.
/// </summary>
public sealed class YoloOutput : IDisposable
{
    public YoloOutput(DetectOutput one2Many, DetectOutput? one2One = null)
    {
        One2Many = one2Many;
        One2One = one2One;
    }

    /// <summary>The one-to-many branch (YOLOv8's only head; YOLOv10's cv2/cv3).</summary>
    public DetectOutput One2Many { get; }

    /// <summary>YOLOv10's one-to-one branch (one2one_cv2/one2one_cv3); null for YOLOv8.</summary>
    public DetectOutput? One2One { get; }

    public void Dispose()
    {
        One2Many.Dispose();
        One2One?.Dispose();
    }
}
