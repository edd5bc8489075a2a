namespace DetrSharp.Evaluation;

/// <summary>
/// One category's curves at one IoU threshold (area "all", the largest maxDets), read from COCOeval's accumulated
/// arrays: interpolated precision at each of the 101 recall thresholds and the score of the detection it was read at.
/// </summary>
public sealed record ClassCurve(long CategoryId, double[] Recall, double[] Precision, double[] Confidence)
{
    /// <summary>Mean interpolated precision over the recall thresholds: COCO's AP at this IoU.</summary>
    public double AP => Precision.Average();

    /// <summary>2PR / (P + R) at each recall threshold (0 where both are 0). // [R]</summary>
    public double[] F1 => Recall.Select((r, i) => r + Precision[i] > 0 ? 2 * r * Precision[i] / (r + Precision[i]) : 0).ToArray();
}

/// <summary>Per-category precision-recall and F1-confidence curves from <see cref="CocoAccumulation"/>.</summary>
public static class PrecisionRecallCurves
{
    /// <summary>
    /// The curves of every category that has ground truth (precision −1 marks one without), in K-axis order.
    /// </summary>
    /// <param name="accumulation">COCOeval.accumulate's arrays.</param>
    /// <param name="iou">An IoU threshold of the evaluation (0.5 for ultralytics' PR_curve).</param>
    /// <exception cref="ArgumentException"><paramref name="iou"/> is not one of the evaluation's thresholds.</exception>
    public static IReadOnlyList<ClassCurve> At(CocoAccumulation accumulation, double iou = 0.5)
    {
        ArgumentNullException.ThrowIfNull(accumulation);
        var p = accumulation.Params;
        int t = Array.FindIndex(p.IouThrs, x => Math.Abs(x - iou) < 1e-9);
        if (t < 0) throw new ArgumentException($"IoU {iou} is not one of the evaluation's thresholds ({string.Join(", ", p.IouThrs)})", nameof(iou));
        int areaAll = 0, m = p.MaxDets.Length - 1, nr = p.RecThrs.Length;
        var curves = new List<ClassCurve>();
        for (int k = 0; k < accumulation.CategoryIds.Count; k++)
        {
            if (accumulation.Precision[t, 0, k, areaAll, m] < 0) continue; // no ground truth of this category
            var prec = new double[nr];
            var conf = new double[nr];
            for (int r = 0; r < nr; r++)
            {
                prec[r] = accumulation.Precision[t, r, k, areaAll, m];
                conf[r] = accumulation.Scores[t, r, k, areaAll, m];
            }
            curves.Add(new ClassCurve(accumulation.CategoryIds[k], (double[])p.RecThrs.Clone(), prec, conf));
        }
        return curves;
    }
}
