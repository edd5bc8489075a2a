using DetrSharp.Torch;

namespace DetrSharp.Detection.Boxes;

/// <summary>
/// Greedy non-maximum suppression as torchvision.ops.nms (libtorch has no NMS operator): boxes in decreasing score
/// order (stable for equal scores), each kept unless a kept box overlaps it with IoU &gt; the threshold. IoU in
/// float32 without epsilon, as torchvision's CPU kernel. Runs on host arrays: one copy in, indices out.
/// </summary>
public static class Nms
{
    /// <summary>torchvision.ops.nms on tensors.</summary>
    /// <param name="boxes">[N, 4] xyxy.</param>
    /// <param name="scores">[N].</param>
    /// <param name="iouThreshold">Suppress overlaps above this.</param>
    /// <returns>[K] int64 indices of the kept boxes, highest score first.</returns>
    public static Tensor Compute(Tensor boxes, Tensor scores, double iouThreshold)
    {
        if (boxes.dim() != 2 || boxes.shape[1] != 4 || scores.dim() != 1 || scores.shape[0] != boxes.shape[0])
            throw new ArgumentException($"nms: boxes must be [N, 4] and scores [N], got [{string.Join(", ", boxes.shape)}] and [{string.Join(", ", scores.shape)}]", nameof(boxes));
        using var b = boxes.detach().to(ScalarType.Float32, Device.CPU).contiguous();
        using var s = scores.detach().to(ScalarType.Float32, Device.CPU).contiguous();
        var keep = Greedy(b.data<float>(), s.data<float>(), (float)iouThreshold);
        return torch.tensor(keep.Select(i => (long)i).ToArray(), device: boxes.device);
    }

    /// <summary>The greedy kernel on flat arrays.</summary>
    /// <param name="boxes">N × (x1, y1, x2, y2).</param>
    /// <param name="scores">N scores.</param>
    /// <param name="iouThreshold">Suppress overlaps above this.</param>
    /// <param name="maxKeep">Stop after this many kept boxes (the first maxKeep of the full result).</param>
    /// <returns>Indices of the kept boxes, highest score first.</returns>
    public static int[] Greedy(ReadOnlySpan<float> boxes, ReadOnlySpan<float> scores, float iouThreshold, int maxKeep = int.MaxValue)
    {
        int n = scores.Length;
        if (boxes.Length != 4 * n) throw new ArgumentException($"nms: {boxes.Length} box values for {n} scores", nameof(boxes));
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = new float[n];
        for (int i = 0; i < n; i++) keys[i] = -scores[i];
        Array.Sort(keys, order);                                  // introsort: equal keys re-ordered below
        StabilizeTies(keys, order);

        var x1 = new float[n]; var y1 = new float[n]; var x2 = new float[n]; var y2 = new float[n]; var area = new float[n];
        for (int r = 0; r < n; r++)
        {
            int i = order[r];
            x1[r] = boxes[4 * i]; y1[r] = boxes[4 * i + 1]; x2[r] = boxes[4 * i + 2]; y2[r] = boxes[4 * i + 3];
            area[r] = (x2[r] - x1[r]) * (y2[r] - y1[r]);
        }
        var suppressed = new bool[n];
        var keep = new List<int>();
        for (int r = 0; r < n && keep.Count < maxKeep; r++)
        {
            if (suppressed[r]) continue;
            keep.Add(order[r]);
            float ix1 = x1[r], iy1 = y1[r], ix2 = x2[r], iy2 = y2[r], iarea = area[r];
            for (int q = r + 1; q < n; q++)
            {
                if (suppressed[q]) continue;
                float w = Math.Max(0f, Math.Min(ix2, x2[q]) - Math.Max(ix1, x1[q]));
                float h = Math.Max(0f, Math.Min(iy2, y2[q]) - Math.Max(iy1, y1[q]));
                float inter = w * h;
                float iou = inter / (iarea + area[q] - inter);
                if (iou > iouThreshold) suppressed[q] = true;
            }
        }
        return keep.ToArray();
    }

    /// <summary>Within each run of equal keys, puts the indices in increasing order (a stable sort's result).</summary>
    static void StabilizeTies(float[] keys, int[] order)
    {
        int start = 0;
        for (int i = 1; i <= keys.Length; i++)
        {
            if (i < keys.Length && keys[i].Equals(keys[start])) continue;
            if (i - start > 1) Array.Sort(order, start, i - start);
            start = i;
        }
    }
}
