namespace DetrSharp.Onnx;

/// <summary>
/// ultralytics' non_max_suppression for one image of YOLOv8's decoded output, on plain arrays (the Detection
/// layer's YoloNms works on libtorch tensors, which this layer must not load): rows whose best class score is above
/// the threshold, at most max_nms of them by score, greedy class-aware NMS (IoU &gt; threshold suppresses, as
/// torchvision's, scores in decreasing order, ties by row), at most max_det kept.
/// </summary>
public static class PlainNms
{
    public const int MaxNms = 30000;
    /// <summary>Class offset of the batched suppression (ultralytics max_wh).</summary>
    public const float MaxWh = 7680f;

    /// <param name="output">[4 + nc, A] of one image: (cx, cy, w, h) rows then class score rows</param>
    /// <returns>kept rows: xyxy in input pixels, score, class; highest score first</returns>
    public static List<(float X1, float Y1, float X2, float Y2, float Score, int Label)> Apply(
        ReadOnlySpan<float> output, int anchors, int nc, float conf, float iou, int maxDet, bool agnostic)
    {
        if (output.Length != (4 + nc) * anchors) throw new ArgumentException($"NMS: {output.Length} values for [4 + {nc}, {anchors}]", nameof(output));
        var rows = new List<(int Anchor, float Score, int Label)>();
        for (int a = 0; a < anchors; a++)
        {
            int best = 0;
            float score = output[4 * anchors + a];
            for (int c = 1; c < nc; c++)
            {
                float s = output[(4 + c) * anchors + a];
                if (s > score) { score = s; best = c; }
            }
            if (score > conf) rows.Add((a, score, best));
        }
        // stable: equal scores keep anchor order
        var order = rows.Select((r, i) => (r, i)).OrderByDescending(p => p.r.Score).ThenBy(p => p.i).Select(p => p.r).Take(MaxNms).ToList();
        int n = order.Count;
        var box = new float[n * 4];
        for (int r = 0; r < n; r++)
        {
            int a = order[r].Anchor;
            float cx = output[a], cy = output[anchors + a], w = output[2 * anchors + a], h = output[3 * anchors + a];
            float hw = w * 0.5f, hh = h * 0.5f;
            box[4 * r] = cx - hw; box[4 * r + 1] = cy - hh; box[4 * r + 2] = cx + hw; box[4 * r + 3] = cy + hh;
        }
        // IoU on boxes shifted by class × max_wh, as the reference's batched NMS (the float rounding of the shift included)
        float shiftWh = agnostic ? 0f : MaxWh;
        var sb = new float[n * 4];
        for (int r = 0; r < n; r++)
            for (int k = 0; k < 4; k++) sb[4 * r + k] = box[4 * r + k] + order[r].Label * shiftWh;
        var suppressed = new bool[n];
        var kept = new List<(float, float, float, float, float, int)>();
        for (int r = 0; r < n && kept.Count < maxDet; r++)
        {
            if (suppressed[r]) continue;
            kept.Add((box[4 * r], box[4 * r + 1], box[4 * r + 2], box[4 * r + 3], order[r].Score, order[r].Label));
            float areaR = (sb[4 * r + 2] - sb[4 * r]) * (sb[4 * r + 3] - sb[4 * r + 1]);
            for (int q = r + 1; q < n; q++)
            {
                if (suppressed[q]) continue;
                float iw = Math.Max(0f, Math.Min(sb[4 * r + 2], sb[4 * q + 2]) - Math.Max(sb[4 * r], sb[4 * q]));
                float ih = Math.Max(0f, Math.Min(sb[4 * r + 3], sb[4 * q + 3]) - Math.Max(sb[4 * r + 1], sb[4 * q + 1]));
                float inter = iw * ih;
                float areaQ = (sb[4 * q + 2] - sb[4 * q]) * (sb[4 * q + 3] - sb[4 * q + 1]);
                if (inter / (areaR + areaQ - inter) > iou) suppressed[q] = true;
            }
        }
        return kept;
    }
}
