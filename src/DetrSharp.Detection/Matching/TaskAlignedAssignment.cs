using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// What <see cref="TaskAlignedAssigner"/> gives per anchor, in the reference's order. With no ground-truth
/// slots at all (n_max_boxes == 0) the reference returns TargetLabels, FgMask and TargetGtIdx as float32
/// (bg index, zeros, zeros); otherwise they are int64, bool and int64.
/// </summary>
/// <param name="TargetLabels">[batch, anchors] class of the assigned box (clamped at 0).</param>
/// <param name="TargetBboxes">[batch, anchors, 4] the assigned box, xyxy.</param>
/// <param name="TargetScores">[batch, anchors, classes] one-hot at the label scaled by the normalised alignment, zero off the foreground.</param>
/// <param name="FgMask">[batch, anchors] whether the anchor is foreground.</param>
/// <param name="TargetGtIdx">[batch, anchors] index of the assigned box among the image's slots.</param>
public sealed record TaskAlignedAssignment(Tensor TargetLabels, Tensor TargetBboxes, Tensor TargetScores, Tensor FgMask, Tensor TargetGtIdx)
    : IDisposable
{
    public void Dispose()
    {
        TargetLabels.Dispose();
        TargetBboxes.Dispose();
        TargetScores.Dispose();
        FgMask.Dispose();
        TargetGtIdx.Dispose();
    }
}
