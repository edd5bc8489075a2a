using DetrSharp.Torch;

namespace DetrSharp.Detection.Models;

/// <summary>
/// The detections of one image in the reference's result dict {scores, labels, boxes}, boxes in absolute
/// (x1, y1, x2, y2) pixels of the image's target size. Owns its tensors.
/// </summary>
/// <param name="Scores">[queries] float</param>
/// <param name="Labels">[queries] int64 class ids</param>
/// <param name="Boxes">[queries, 4] float (x1, y1, x2, y2)</param>
public sealed record DetectionResult(Tensor Scores, Tensor Labels, Tensor Boxes) : IDisposable
{
    /// <summary>Disposes the three tensors.</summary>
    public void Dispose()
    {
        Scores.Dispose();
        Labels.Dispose();
        Boxes.Dispose();
    }
}
