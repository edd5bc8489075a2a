namespace DetrSharp.Onnx;

/// <summary>
/// The detections of a YOLOv8 exported with its NMS in the graph (`export --nms`): output "detections" [N, 7] rows
/// (image, x1, y1, x2, y2, score, class), grouped by image and class as ONNX's NonMaxSuppression selects them. One
/// image's rows highest score first (ties in row order), at most max_det: the part of the project's NMS
/// (<see cref="PlainNms"/>) the graph leaves to its consumer.
/// </summary>
public static class GraphNmsRows
{
    public const int Columns = 7;

    /// <param name="detections">the graph's [N, 7] output</param>
    /// <param name="image">the image's index in the batch</param>
    /// <param name="maxDet">detections kept per image</param>
    public static List<(float X1, float Y1, float X2, float Y2, float Score, int Label)> Image(ReadOnlySpan<float> detections, int image, int maxDet)
    {
        if (detections.Length % Columns != 0) throw new ArgumentException($"NMS output: {detections.Length} values are not rows of {Columns}", nameof(detections));
        var rows = new List<(float, float, float, float, float Score, int)>();
        for (int r = 0; r < detections.Length / Columns; r++)
        {
            var d = detections.Slice(r * Columns, Columns);
            if ((int)d[0] == image) rows.Add((d[1], d[2], d[3], d[4], d[5], (int)d[6]));
        }
        // OrderByDescending is stable: equal scores keep the graph's order
        return rows.OrderByDescending(d => d.Score).Take(maxDet).ToList();
    }
}
