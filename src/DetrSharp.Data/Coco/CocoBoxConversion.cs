namespace DetrSharp.Data.Coco;

/// <summary>
/// COCO [x, y, w, h] to clipped xyxy exactly as the DETR reference computes it in float32:
/// <c>boxes[:, 2:] += boxes[:, :2]</c>, x clamped to [0, w], y to [0, h], kept when x2 &gt; x1 and y2 &gt; y1.
/// </summary>
internal static class CocoBoxConversion
{
    /// <summary>Writes the clipped box into <paramref name="xyxy"/> (4 floats); false when it is degenerate.</summary>
    internal static bool ToClippedXyxy(ReadOnlySpan<double> xywh, int width, int height, Span<float> xyxy)
    {
        float x = (float)xywh[0], y = (float)xywh[1];
        float x2 = x + (float)xywh[2], y2 = y + (float)xywh[3];
        xyxy[0] = Math.Clamp(x, 0f, width);
        xyxy[1] = Math.Clamp(y, 0f, height);
        xyxy[2] = Math.Clamp(x2, 0f, width);
        xyxy[3] = Math.Clamp(y2, 0f, height);
        return xyxy[3] > xyxy[1] && xyxy[2] > xyxy[0];
    }
}
