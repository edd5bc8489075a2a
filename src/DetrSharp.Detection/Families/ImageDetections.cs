using DetrSharp.Torch;

namespace DetrSharp.Detection.Families;

/// <summary>One image's detections in the pixels of the image as stored (x1, y1, x2, y2 per box), best first or in the family's order.</summary>
public sealed record ImageDetections(long ImageId, float[] Scores, int[] Labels, float[] BoxesXyxy)
{
    public int Count => Scores.Length;

    /// <summary>
    /// A post-processed image copied out once: the detections whose score is at least <paramref name="minScore"/>, in
    /// their order. Every family's <c>Predict</c> ends here.
    /// </summary>
    /// <param name="scores">[k]</param>
    /// <param name="labels">[k] class indices</param>
    /// <param name="boxesXyxy">[k, 4] in the stored image's pixels</param>
    public static ImageDetections From(long imageId, Tensor scores, Tensor labels, Tensor boxesXyxy, double minScore)
    {
        using var s = scores.to(ScalarType.Float32, Device.CPU).contiguous();
        using var l = labels.to(ScalarType.Int64, Device.CPU).contiguous();
        using var b = boxesXyxy.to(ScalarType.Float32, Device.CPU).contiguous();
        var sv = s.data<float>();
        var lv = l.data<long>();
        var bv = b.data<float>();
        var keep = Enumerable.Range(0, sv.Length).Where(k => sv[k] >= minScore).ToArray();
        return new ImageDetections(imageId,
            keep.Select(k => sv[k]).ToArray(),
            keep.Select(k => (int)lv[k]).ToArray(),
            keep.SelectMany(k => bv.AsSpan(k * 4, 4).ToArray()).ToArray());
    }
}
