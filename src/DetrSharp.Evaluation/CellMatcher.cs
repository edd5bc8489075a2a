namespace DetrSharp.Evaluation;

/// <summary>
/// pycocotools' <c>computeIoU</c> and <c>evaluateImg</c> for one cell (image x category, or image when
/// useCats = 0): detections sorted by descending score (stable) and cut at maxDets[-1], gts with ignored
/// ones last (stable), then greedy matching per IoU threshold with every quirk of the reference.
/// </summary>
internal sealed class CellMatcher(EvalUnits units, CocoAnnotation[] gts, CocoDetection[] dets, double[] iouThrs, int maxDet)
{
    public int Thresholds => iouThrs.Length;

    /// <summary>How many of a cell's detections survive the cut at maxDets[-1].</summary>
    public int KeptCount(int unit) => Math.Min(units.DtStart[unit + 1] - units.DtStart[unit], maxDet);

    /// <summary>Loads a cell into the scratch: sorted, truncated detections and the IoU matrix.</summary>
    public void Load(int unit, MatchScratch s)
    {
        int ds = units.DtStart[unit], n = units.DtStart[unit + 1] - ds;
        int gs = units.GtStart[unit], g = units.GtStart[unit + 1] - gs;
        int d = Math.Min(n, maxDet);
        s.Reserve(n, d, g, iouThrs.Length);
        s.D = d;
        s.G = g;

        var items = units.DtItems;
        for (int p = 0; p < n; p++)
        {
            s.Order[p] = p;
            s.Score[p] = dets[items[ds + p]].Score;
        }
        new DescendingScore(s.Score).Sort(s.Order.AsSpan(0, n));
        for (int k = 0; k < d; k++)
        {
            int j = items[ds + s.Order[k]];
            s.Dt[k] = j;
            s.DtBox[k] = dets[j].Box;
        }
        for (int k = 0; k < g; k++)
        {
            int j = units.GtItems[gs + k];
            s.Gt[k] = j;
            s.GtBox[k] = gts[j].Box;
            s.GtCrowd[k] = gts[j].IsCrowd;
        }
        CocoBoxIou.Compute(s.DtBox.AsSpan(0, d), s.GtBox.AsSpan(0, g), s.GtCrowd.AsSpan(0, g), s.Iou);
    }

    /// <summary>
    /// Matches the loaded cell for one area range, filling GtOrder, GtIg, GtMatch, DtMatch and DtIg.
    /// Returns the number of gts not ignored.
    /// </summary>
    public int Match(MatchScratch s, CocoAreaRange range)
    {
        int D = s.D, G = s.G, T = iouThrs.Length;

        // gt '_ignore' = iscrowd or area outside the range; order: not ignored first, both in load order.
        int kept = 0;
        for (int g = 0; g < G; g++)
        {
            ref readonly var a = ref gts[s.Gt[g]];
            if (!(a.IsCrowd || range.Excludes(a.Area))) s.GtOrder[kept++] = g;
        }
        int w = kept;
        for (int g = 0; g < G; g++)
        {
            ref readonly var a = ref gts[s.Gt[g]];
            if (a.IsCrowd || range.Excludes(a.Area)) s.GtOrder[w++] = g;
        }
        for (int k = 0; k < G; k++) s.GtIg[k] = k >= kept;

        Array.Clear(s.GtMatch, 0, T * G);
        Array.Clear(s.DtMatch, 0, T * D);
        Array.Clear(s.DtIg, 0, T * D);

        if (D > 0 && G > 0)
        {
            for (int t = 0; t < T; t++)
            {
                double thr = Math.Min(iouThrs[t], 1 - 1e-10);
                int gRow = t * G, dRow = t * D;
                for (int d = 0; d < D; d++)
                {
                    double best = thr;
                    int m = -1;
                    int iouRow = d * G;
                    for (int k = 0; k < G; k++)
                    {
                        int g = s.GtOrder[k];
                        // a matched gt is taken unless it is a crowd
                        if (s.GtMatch[gRow + k] > 0 && !s.GtCrowd[g]) continue;
                        // holding a normal gt, stop at the first ignored one
                        if (m > -1 && !s.GtIg[m] && s.GtIg[k]) break;
                        double v = s.Iou[iouRow + g];
                        if (v < best) continue;   // equal IoU: the later gt wins
                        best = v;
                        m = k;
                    }
                    if (m == -1) continue;
                    s.DtIg[dRow + d] = s.GtIg[m];
                    s.DtMatch[dRow + d] = gts[s.Gt[s.GtOrder[m]]].Id;
                    s.GtMatch[gRow + m] = s.Dt[d] + 1L;   // detection ids are 1..N in input order
                }
            }
        }

        // unmatched detections (matched gt id 0 included) outside the range are ignored
        for (int d = 0; d < D; d++)
        {
            if (!range.Excludes(dets[s.Dt[d]].Box.Area)) continue;
            for (int t = 0; t < T; t++)
                if (s.DtMatch[t * D + d] == 0) s.DtIg[t * D + d] = true;
        }
        return kept;
    }
}
