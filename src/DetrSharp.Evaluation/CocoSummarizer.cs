namespace DetrSharp.Evaluation;

/// <summary>
/// <c>COCOeval.summarize</c> for bbox (<c>_summarizeDets</c>): each stat is the mean of the selected
/// precision or recall entries that are > −1, or −1 when there are none. Ranges are looked up by label and
/// maxDets by value, so <c>stats[0]</c> (maxDets = 100) is −1 when 100 is not a maxDets value.
/// </summary>
internal static class CocoSummarizer
{
    public static CocoStats Run(CocoAccumulation acc)
    {
        var p = acc.Params;
        int[] md = p.MaxDets;
        if (md.Length < 3)
            throw new InvalidOperationException(
                $"the bbox summary reads maxDets[0..2], but CocoEvalParams.MaxDets has only {md.Length} value(s)");
        var lines = new string[12];
        var stats = new double[]
        {
            One(acc, true, null, "all", 100, out lines[0]),
            One(acc, true, 0.5, "all", md[2], out lines[1]),
            One(acc, true, 0.75, "all", md[2], out lines[2]),
            One(acc, true, null, "small", md[2], out lines[3]),
            One(acc, true, null, "medium", md[2], out lines[4]),
            One(acc, true, null, "large", md[2], out lines[5]),
            One(acc, false, null, "all", md[0], out lines[6]),
            One(acc, false, null, "all", md[1], out lines[7]),
            One(acc, false, null, "all", md[2], out lines[8]),
            One(acc, false, null, "small", md[2], out lines[9]),
            One(acc, false, null, "medium", md[2], out lines[10]),
            One(acc, false, null, "large", md[2], out lines[11]),
        };
        return new CocoStats { Stats = stats, Lines = lines, PerCategoryAP = PerCategory(acc), Accumulation = acc };
    }

    static double One(CocoAccumulation acc, bool ap, double? iouThr, string areaLbl, int maxDets, out string line)
    {
        var p = acc.Params;
        var ts = new List<int>();
        for (int t = 0; t < p.IouThrs.Length; t++)
            if (iouThr == null || p.IouThrs[t] == iouThr.Value) ts.Add(t);
        var pairs = Pairs(Indices(p.AreaRngLbl, l => l == areaLbl), Indices(p.MaxDets, m => m == maxDets));

        var kept = new List<double>();
        int R = p.RecThrs.Length, K = acc.CategoryIds.Count;
        foreach (int t in ts)
        {
            if (ap)
            {
                for (int r = 0; r < R; r++)
                    for (int k = 0; k < K; k++)
                        foreach (var (a, m) in pairs)
                        {
                            double v = acc.Precision[t, r, k, a, m];
                            if (v > -1) kept.Add(v);
                        }
            }
            else
            {
                for (int k = 0; k < K; k++)
                    foreach (var (a, m) in pairs)
                    {
                        double v = acc.Recall[t, k, a, m];
                        if (v > -1) kept.Add(v);
                    }
            }
        }
        double mean = kept.Count == 0 ? -1 : NumpyMean.Of(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(kept));

        string title = ap ? "Average Precision" : "Average Recall";
        string type = ap ? "(AP)" : "(AR)";
        string iou = iouThr == null
            ? $"{PythonFormat.Fixed(p.IouThrs[0], 2)}:{PythonFormat.Fixed(p.IouThrs[^1], 2)}"
            : PythonFormat.Fixed(iouThr.Value, 2);
        line = $" {title,-18} {type} @[ IoU={iou,-9} | area={areaLbl,6} | maxDets={maxDets,3} ] = {PythonFormat.Fixed(mean, 3)}";
        return mean;
    }

    static List<int> Indices<T>(T[] values, Func<T, bool> match)
    {
        var list = new List<int>();
        for (int i = 0; i < values.Length; i++) if (match(values[i])) list.Add(i);
        return list;
    }

    /// <summary>numpy's pairing of two index lists <c>s[..., aind, mind]</c>: elementwise, a length-1 list broadcast.</summary>
    static List<(int, int)> Pairs(List<int> aind, List<int> mind)
    {
        var pairs = new List<(int, int)>();
        if (aind.Count == 0 || mind.Count == 0) return pairs;
        int n = Math.Max(aind.Count, mind.Count);
        if ((aind.Count != n && aind.Count != 1) || (mind.Count != n && mind.Count != 1))
            throw new InvalidOperationException(
                $"area labels match {aind.Count} ranges and maxDets match {mind.Count} values; numpy cannot pair them");
        for (int i = 0; i < n; i++) pairs.Add((aind[aind.Count == 1 ? 0 : i], mind[mind.Count == 1 ? 0 : i]));
        return pairs;
    }

    static Dictionary<long, double> PerCategory(CocoAccumulation acc)
    {
        var p = acc.Params;
        int T = p.IouThrs.Length, R = p.RecThrs.Length, M = p.MaxDets.Length;
        var result = new Dictionary<long, double>();
        var kept = new List<double>(T * R);
        for (int k = 0; k < acc.CategoryIds.Count; k++)
        {
            kept.Clear();
            if (p.AreaRng.Length > 0)
                for (int t = 0; t < T; t++)
                    for (int r = 0; r < R; r++)
                    {
                        double v = acc.Precision[t, r, k, 0, M - 1];
                        if (v > -1) kept.Add(v);
                    }
            result[acc.CategoryIds[k]] = kept.Count == 0 ? -1 : NumpyMean.Of(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(kept));
        }
        return result;
    }
}
