using DetrSharp.Detection.Boxes;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// ultralytics' non_max_suppression (utils/ops.py) for YOLOv8's decoded output: per image, rows whose best class
/// score is above the confidence threshold, the best class (or every class above it with multi-label), at most
/// max_nms rows by score, class-aware greedy NMS by offsetting each box by class × max_wh, then max_det rows.
/// The batch-wide parts (threshold, best class, xywh → xyxy) are tensor ops; the candidates are copied out once
/// and the images suppressed in parallel on the host.
/// </summary>
public static class YoloNms
{
    /// <summary>Runs the suppression.</summary>
    /// <param name="prediction">[batch, 4 + classes (+ masks), anchors]: (cx, cy, w, h) then scores, as Detect's eval output.</param>
    /// <param name="options">Thresholds and limits (<see cref="NmsOptions.Predict"/> when null).</param>
    /// <returns>Per image [kept, 6 + masks]: x1, y1, x2, y2, confidence, class, mask coefficients; highest score first.</returns>
    public static Tensor[] Apply(Tensor prediction, NmsOptions? options = null)
    {
        var o = options ?? NmsOptions.Predict;
        o.Validate();
        if (prediction.dim() != 3 || prediction.shape[1] < 5)
            throw new ArgumentException($"NMS: prediction must be [batch, 4 + classes, anchors], got [{string.Join(", ", prediction.shape)}]", nameof(prediction));
        long bs = prediction.shape[0], channels = prediction.shape[1];
        long nc = o.NumClasses > 0 ? o.NumClasses : channels - 4;
        long nm = channels - 4 - nc;
        if (nm < 0) throw new ArgumentException($"NMS: {channels} channels cannot hold 4 box values and {nc} classes", nameof(prediction));
        bool multiLabel = o.MultiLabel && nc > 1;

        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = prediction.detach().to(ScalarType.Float32);                                // [B, 4 + nc + nm, A]
        var boxes = BoxConvert.CxcywhToXyxy(x.slice(1, 0, 4).transpose(1, 2)).contiguous(); // [B, A, 4]
        var cls = x.slice(1, 4, 4 + nc);                                                   // [B, nc, A]
        var (best, bestClass) = cls.max(1);                                                // [B, A]: reduced across classes, vectorised along anchors
        var candidate = best.gt(o.ConfThres);                                              // [B, A]

        // One copy out: the candidates' boxes and best class (all class scores only for multi-label).
        var hostBest = best.contiguous().data<float>();
        var hostClass = bestClass.contiguous().data<long>();
        var hostCand = candidate.contiguous().data<bool>();
        var hostBoxes = boxes.data<float>();
        float[]? hostCls = multiLabel ? cls.transpose(1, 2).contiguous().data<float>() : null; // [B, A, nc]
        long na = x.shape[2];

        var kept = new (int[] Anchor, float[] Score, int[] Class)[bs];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = o.MaxDegreeOfParallelism };
        Parallel.For(0, (int)bs, parallel, b =>
            kept[b] = Image(b * na, (int)na, (int)nc, hostBest, hostClass, hostCand, hostBoxes, hostCls, o, multiLabel));

        var result = new Tensor[bs];
        for (int b = 0; b < bs; b++)
        {
            var (anchor, score, klass) = kept[b];
            var idx = torch.tensor(anchor.Select(a => (long)a).ToArray(), device: prediction.device);   // [k]
            var rows = new List<Tensor>
            {
                boxes.select(0, b).index_select(0, idx),                                                   // [k, 4]
                torch.tensor(score, new long[] { score.Length, 1 }, device: prediction.device),           // [k, 1]
                torch.tensor(klass.Select(c => (float)c).ToArray(), new long[] { klass.Length, 1 }, device: prediction.device),
            };
            if (nm > 0) rows.Add(x.select(0, b).slice(0, 4 + nc, channels).index_select(1, idx).t());     // [k, nm]
            result[b] = scope.MoveToOuter(torch.cat(rows.ToArray(), 1));                                   // [k, 6 + nm]
        }
        return result;
    }

    /// <summary>One image: the candidate rows, the max_nms cut, class-offset greedy NMS, max_det.</summary>
    static (int[] Anchor, float[] Score, int[] Class) Image(long offset, int na, int nc, float[] best, long[] bestClass, bool[] cand,
        float[] boxes, float[]? allScores, NmsOptions o, bool multiLabel)
    {
        var anchor = new List<int>();
        var score = new List<float>();
        var klass = new List<int>();
        var conf = (float)o.ConfThres;
        for (int a = 0; a < na; a++)
        {
            long g = offset + a;
            if (!cand[g]) continue;
            if (multiLabel)
            {
                for (int c = 0; c < nc; c++)
                {
                    float s = allScores![g * nc + c];
                    if (s > conf && Allowed(o, c)) { anchor.Add(a); score.Add(s); klass.Add(c); }
                }
            }
            else if (Allowed(o, (int)bestClass[g]))
            {
                anchor.Add(a); score.Add(best[g]); klass.Add((int)bestClass[g]);
            }
        }
        int n = anchor.Count;
        var rowOrder = Enumerable.Range(0, n).ToArray();
        if (n > o.MaxNms)
        {
            rowOrder = rowOrder.OrderByDescending(r => score[r]).Take(o.MaxNms).ToArray(); // stable: ties keep anchor order
            n = rowOrder.Length;
        }

        var shifted = new float[4 * n];
        var scores = new float[n];
        var rowClass = new int[n];
        float maxWh = o.Agnostic ? 0f : (float)o.MaxWh;
        for (int r = 0; r < n; r++)
        {
            int row = rowOrder[r];
            long g = offset + anchor[row];
            float shift = klass[row] * maxWh;
            for (int k = 0; k < 4; k++) shifted[4 * r + k] = boxes[4 * g + k] + shift;
            scores[r] = score[row];
            rowClass[r] = klass[row];
        }
        var keep = Suppress(shifted, scores, rowClass, o);
        return (keep.Select(r => anchor[rowOrder[r]]).ToArray(), keep.Select(r => score[rowOrder[r]]).ToArray(),
                keep.Select(r => klass[rowOrder[r]]).ToArray());
    }

    /// <summary>
    /// The greedy NMS of the class-offset boxes. When no two boxes of different classes can touch (the boxes span
    /// less than max_wh - 1 px in x, so the offset intervals are disjoint and every cross-class IoU is 0), it runs
    /// per class and merges the kept rows in the global score order, which is the global result at a fraction of
    /// the pairs; otherwise (agnostic, or boxes wider than the offset) it runs on all rows at once.
    /// </summary>
    static int[] Suppress(float[] shifted, float[] scores, int[] rowClass, NmsOptions o)
    {
        int n = scores.Length;
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        for (int r = 0; r < n; r++)
        {
            float shift = rowClass[r] * (float)o.MaxWh;
            lo = Math.Min(lo, shifted[4 * r] - shift);
            hi = Math.Max(hi, shifted[4 * r + 2] - shift);
        }
        bool separable = !o.Agnostic && hi - lo < o.MaxWh - 1;                               // false with NaN coordinates too
        if (!separable) return Nms.Greedy(shifted, scores, (float)o.IouThres, o.MaxDet);

        var kept = new List<int>();
        foreach (var group in Enumerable.Range(0, n).GroupBy(r => rowClass[r]))
        {
            var rows = group.ToArray();                                                      // ascending row order
            var b = new float[4 * rows.Length];
            var s = new float[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                Array.Copy(shifted, 4 * rows[i], b, 4 * i, 4);
                s[i] = scores[rows[i]];
            }
            foreach (var i in Nms.Greedy(b, s, (float)o.IouThres, o.MaxDet)) kept.Add(rows[i]);
        }
        // The global greedy visits rows by score, ties by row: the same order over the union of the per-class results.
        return kept.OrderByDescending(r => scores[r]).ThenBy(r => r).Take(o.MaxDet).ToArray();
    }

    static bool Allowed(NmsOptions o, int c) => o.Classes == null || o.Classes.Contains(c);
}
