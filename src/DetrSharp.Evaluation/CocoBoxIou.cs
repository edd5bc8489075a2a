namespace DetrSharp.Evaluation;

/// <summary>
/// Box IoU as pycocotools' <c>maskUtils.iou</c> computes it for boxes (<c>bbIou</c> in maskApi.c),
/// operation for operation: no overlap gives 0; for a crowd gt the union is the detection's own area.
/// </summary>
public static class CocoBoxIou
{
    /// <summary>The IoU of one detection box with one gt box.</summary>
    /// <param name="det">The detection box.</param>
    /// <param name="gt">The ground-truth box.</param>
    /// <param name="gtIsCrowd">Whether the gt is a crowd region (then IoU = intersection / area(det)).</param>
    public static double Iou(in CocoBox det, in CocoBox gt, bool gtIsCrowd)
    {
        double w = FMin(det.Width + det.X, gt.Width + gt.X) - FMax(det.X, gt.X);
        if (w <= 0) return 0;
        double h = FMin(det.Height + det.Y, gt.Height + gt.Y) - FMax(det.Y, gt.Y);
        if (h <= 0) return 0;
        double i = w * h;
        double da = det.Width * det.Height;
        double u = gtIsCrowd ? da : da + gt.Width * gt.Height - i;
        return i / u;
    }

    // C's fmin/fmax: a NaN argument yields the other one.
    static double FMin(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Min(a, b);
    static double FMax(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Max(a, b);

    /// <summary>All pairs: <paramref name="iou"/>[d * G + g] for D detections and G gts.</summary>
    /// <param name="dets">Detection boxes. // [D]</param>
    /// <param name="gts">Ground-truth boxes. // [G]</param>
    /// <param name="gtIsCrowd">Crowd flags of the gts. // [G]</param>
    /// <param name="iou">Output, row-major. // [D, G]</param>
    /// <exception cref="ArgumentException">Lengths disagree.</exception>
    public static void Compute(ReadOnlySpan<CocoBox> dets, ReadOnlySpan<CocoBox> gts, ReadOnlySpan<bool> gtIsCrowd, Span<double> iou)
    {
        int d = dets.Length, g = gts.Length;
        if (gtIsCrowd.Length != g)
            throw new ArgumentException($"gtIsCrowd has {gtIsCrowd.Length} flags for {g} gt boxes", nameof(gtIsCrowd));
        if (iou.Length < d * g)
            throw new ArgumentException($"iou has room for {iou.Length} values, needs {d} x {g}", nameof(iou));
        for (int i = 0; i < d; i++)
        {
            var row = iou.Slice(i * g, g);
            for (int j = 0; j < g; j++) row[j] = Iou(dets[i], gts[j], gtIsCrowd[j]);
        }
    }
}
