namespace DetrSharp.Evaluation;

/// <summary>A box with its class index (0..classes-1) and score, as the confusion matrix takes it.</summary>
public readonly record struct ClassBox(CocoBox Box, int Class, double Score = 1);

/// <summary>
/// Ultralytics' detection confusion matrix: detections scoring above <see cref="Confidence"/> are matched to ground
/// truth by IoU above <see cref="IouThreshold"/> regardless of class (each pair at most once, highest IoU first);
/// a matched pair counts at [predicted class, true class], an unmatched ground truth at [background, true class],
/// an unmatched detection at [predicted class, background]. Background is index <see cref="Classes"/>.
/// </summary>
public sealed class ConfusionMatrix
{
    /// <param name="classes">Number of classes (background is added as one more row and column).</param>
    /// <param name="confidence">Detections must score above this (ultralytics' 0.25).</param>
    /// <param name="iouThreshold">A pair matches with IoU above this.</param>
    public ConfusionMatrix(int classes, double confidence = 0.25, double iouThreshold = 0.5)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), $"a confusion matrix needs at least one class; got {classes}");
        Classes = classes;
        Confidence = confidence;
        IouThreshold = iouThreshold;
        Counts = new long[classes + 1, classes + 1];
    }

    public int Classes { get; }
    public double Confidence { get; }
    public double IouThreshold { get; }

    /// <summary>Counts. // [predicted class + background, true class + background]</summary>
    public long[,] Counts { get; }

    /// <summary>Adds one image's detections and ground truth.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class index outside 0..classes-1.</exception>
    public void Add(IReadOnlyList<ClassBox> detections, IReadOnlyList<ClassBox> groundTruth)
    {
        var dets = detections.Where(d => d.Score > Confidence).ToList();
        foreach (var b in dets.Concat(groundTruth))
            if ((uint)b.Class >= (uint)Classes)
                throw new ArgumentOutOfRangeException(nameof(detections), $"class index {b.Class} is outside 0..{Classes - 1}");
        var pairs = new List<(int gt, int det, double iou)>();
        for (int g = 0; g < groundTruth.Count; g++)
            for (int d = 0; d < dets.Count; d++)
            {
                double iou = CocoBoxIou.Iou(dets[d].Box, groundTruth[g].Box, gtIsCrowd: false);
                if (iou > IouThreshold) pairs.Add((g, d, iou));
            }
        // highest IoU first; each detection, then each ground truth, keeps its best pair
        var ordered = pairs.OrderByDescending(p => p.iou).ToList();
        var seenDet = new HashSet<int>();
        var byDet = ordered.Where(p => seenDet.Add(p.det)).ToList();
        var seenGt = new HashSet<int>();
        var matches = byDet.Where(p => seenGt.Add(p.gt)).ToList();
        var detOfGt = matches.ToDictionary(p => p.gt, p => p.det);
        for (int g = 0; g < groundTruth.Count; g++)
        {
            int trueClass = groundTruth[g].Class;
            if (detOfGt.TryGetValue(g, out int d)) Counts[dets[d].Class, trueClass]++;
            else Counts[Classes, trueClass]++;
        }
        var matchedDets = matches.Select(p => p.det).ToHashSet();
        for (int d = 0; d < dets.Count; d++)
            if (!matchedDets.Contains(d)) Counts[dets[d].Class, Classes]++;
    }

    /// <summary>Each true-class column divided by its sum (ultralytics' normalised plot); an empty column stays 0.</summary>
    public double[,] Normalized()
    {
        int n = Classes + 1;
        var result = new double[n, n];
        for (int t = 0; t < n; t++)
        {
            double sum = 0;
            for (int p = 0; p < n; p++) sum += Counts[p, t];
            if (sum == 0) continue;
            for (int p = 0; p < n; p++) result[p, t] = Counts[p, t] / sum;
        }
        return result;
    }
}
