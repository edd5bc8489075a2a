namespace DetrSharp.Evaluation;

/// <summary>
/// What <c>COCOeval.evaluate</c> leaves for <c>accumulate</c>, packed: every cell's kept detections laid
/// end to end in unit order (so a category's detections are one contiguous run, images in id order, each
/// image's in descending score), with one outcome byte per (area range, detection, IoU threshold), a
/// detection's thresholds side by side, a per-(area range, detection) summary saying whether the outcome
/// is the same at every threshold, and the count of non-ignored gts per (area range, cell).
/// </summary>
internal sealed class EvaluationTable
{
    public const byte FalsePositive = 0, TruePositive = 1, Ignored = 2;
    /// <summary>Summary value: the outcome differs between thresholds, or is a true positive somewhere.</summary>
    public const byte PerThreshold = 3;

    public required int[] DetStart { get; init; }       // [units + 1] offset of each cell's run
    public required double[] Score { get; init; }       // [total] per cell in descending order
    public required int[] Rank { get; init; }           // [total] position within its cell
    public required byte[][] Outcome { get; init; }     // [areas][total * thresholds]
    public required byte[][] Summary { get; init; }     // [areas][total]: FalsePositive, Ignored or PerThreshold
    public required int[] NotIgnoredGts { get; init; }  // [areas * units]

    public int Total => Score.Length;

    /// <summary>Matches every present cell, in parallel over blocks of cells with at most <paramref name="width"/> workers.</summary>
    public static EvaluationTable Build(EvalUnits units, CellMatcher matcher, CocoAreaRange[] areas, int width)
    {
        int U = units.UnitCount, A = areas.Length, T = matcher.Thresholds;
        var detStart = new int[U + 1];
        long running = 0;
        for (int u = 0; u < U; u++)
        {
            detStart[u] = (int)running;
            running += matcher.KeptCount(u);
        }
        if (running * T > Array.MaxLength)
            throw new InvalidOperationException($"{running} detections x {T} IoU thresholds is too many to evaluate at once");
        int total = (int)running;
        detStart[U] = total;

        var score = new double[total];
        var rank = new int[total];
        var outcome = new byte[A][];
        var summary = new byte[A][];
        for (int a = 0; a < A; a++)
        {
            outcome[a] = new byte[T * total];
            summary[a] = new byte[total];
        }
        var notIgnored = new int[A * U];

        const int block = 512;
        int blocks = (U + block - 1) / block;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, width) };
        Parallel.For(0, blocks, options, () => new MatchScratch(), (b, _, s) =>
        {
            int end = Math.Min(U, (b + 1) * block);
            for (int u = b * block; u < end; u++)
            {
                if (!units.Present(u)) continue;
                matcher.Load(u, s);
                int off = detStart[u], D = s.D;
                for (int d = 0; d < D; d++)
                {
                    score[off + d] = s.Score[s.Order[d]];
                    rank[off + d] = d;
                }
                if (s.G == 0)
                {
                    // no gt: every detection is a false positive, or ignored outside the area range
                    for (int a = 0; a < A; a++)
                        for (int d = 0; d < D; d++)
                        {
                            byte c = areas[a].Excludes(s.DtBox[d].Area) ? Ignored : FalsePositive;
                            summary[a][off + d] = c;
                            outcome[a].AsSpan((off + d) * T, T).Fill(c);
                        }
                    continue;
                }
                for (int a = 0; a < A; a++)
                {
                    notIgnored[a * U + u] = matcher.Match(s, areas[a]);
                    var o = outcome[a];
                    for (int d = 0; d < D; d++)
                    {
                        int dst = (off + d) * T;
                        byte first = 0;
                        bool same = true;
                        for (int t = 0; t < T; t++)
                        {
                            byte c = s.DtIg[t * D + d] ? Ignored : s.DtMatch[t * D + d] != 0 ? TruePositive : FalsePositive;
                            o[dst + t] = c;
                            if (t == 0) first = c;
                            else same &= c == first;
                        }
                        summary[a][off + d] = same && first != TruePositive ? first : PerThreshold;
                    }
                }
            }
            return s;
        }, _ => { });

        return new EvaluationTable { DetStart = detStart, Score = score, Rank = rank, Outcome = outcome, Summary = summary, NotIgnoredGts = notIgnored };
    }
}
