namespace DetrSharp.Data.Transforms;

/// <summary>The box bookkeeping the YOLO transforms share: scale-and-shift, clipping, areas from the boxes.</summary>
static class YoloBoxes
{
    /// <summary>x' = x·sx + dx, y' = y·sy + dy for every box; areas follow.</summary>
    public static void Affine(DetectionSample sample, float sx, float sy, float dx, float dy)
    {
        var b = sample.Boxes;
        for (int i = 0; i < b.Length; i += 4)
        {
            b[i] = b[i] * sx + dx;
            b[i + 1] = b[i + 1] * sy + dy;
            b[i + 2] = b[i + 2] * sx + dx;
            b[i + 3] = b[i + 3] * sy + dy;
        }
        for (int i = 0; i < sample.Areas.Length; i++) sample.Areas[i] *= sx * sy;
    }

    /// <summary>Clips every box to [0, width] × [0, height] and drops those left without area (ultralytics' clip + remove_zero_area_boxes).</summary>
    public static void ClipAndDropEmpty(DetectionSample sample, float width, float height)
    {
        var b = sample.Boxes;
        var keep = new bool[sample.Count];
        for (int i = 0; i < sample.Count; i++)
        {
            int o = i * 4;
            b[o] = Math.Clamp(b[o], 0, width);
            b[o + 1] = Math.Clamp(b[o + 1], 0, height);
            b[o + 2] = Math.Clamp(b[o + 2], 0, width);
            b[o + 3] = Math.Clamp(b[o + 3], 0, height);
            keep[i] = b[o + 2] > b[o] && b[o + 3] > b[o + 1];
        }
        SetAreas(sample);
        sample.Keep(keep);
    }

    /// <summary>Areas = the boxes' areas (after a transform that is not a pure scale).</summary>
    public static void SetAreas(DetectionSample sample)
    {
        var b = sample.Boxes;
        for (int i = 0; i < sample.Count; i++) sample.Areas[i] = (b[i * 4 + 2] - b[i * 4]) * (b[i * 4 + 3] - b[i * 4 + 1]);
    }

    /// <summary>Concatenates the objects of several samples (boxes already in one image's pixels).</summary>
    public static (float[] boxes, int[] labels, float[] areas) Concat(IEnumerable<DetectionSample> samples)
    {
        var list = samples.ToList();
        return (list.SelectMany(s => s.Boxes).ToArray(), list.SelectMany(s => s.Labels).ToArray(), list.SelectMany(s => s.Areas).ToArray());
    }
}
