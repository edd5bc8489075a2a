namespace DetrSharp.Evaluation.Tests;

/// <summary>
/// A slow, literal transcription of pycocotools' COCOeval (bbox) over plain lists, written apart from the
/// library's packed implementation, to cross-check it on random inputs (precision, recall and scores).
/// Assumes unique annotation ids.
/// </summary>
internal static class ReferenceCocoEval
{
    sealed record Gt(long Id, long Img, long Cat, CocoBox Box, double Area, bool Crowd);
    sealed record Dt(long Id, long Img, long Cat, CocoBox Box, double Area, double Score);
    sealed record EvalImg(long[] DtIds, double[] DtScores, double[,] DtMatches, bool[,] DtIgnore, bool[] GtIgnore);

    public static (double[,,,,] Precision, double[,,,] Recall, double[,,,,] Scores) Run(
        CocoGroundTruth groundTruth, CocoDetections detections, CocoEvalParams p)
    {
        var gtAll = groundTruth.Annotations.Select(a => new Gt(a.Id, a.ImageId, a.CategoryId, a.Box, a.Area, a.IsCrowd)).ToList();
        var dtAll = detections.Items.Select((d, i) => new Dt(i + 1, d.ImageId, d.CategoryId, d.Box, d.Box.Width * d.Box.Height, d.Score)).ToList();
        long[] imgIds = p.ImgIds!, catIds = p.CatIds!;

        // _prepare
        var gts = new Dictionary<(long, long), List<Gt>>();
        var dts = new Dictionary<(long, long), List<Dt>>();
        foreach (long img in imgIds)
        {
            foreach (var g in gtAll.Where(g => g.Img == img && (!p.UseCats || catIds.Contains(g.Cat))))
                Bucket(gts, (g.Img, g.Cat)).Add(g);
            foreach (var d in dtAll.Where(d => d.Img == img && (!p.UseCats || catIds.Contains(d.Cat))))
                Bucket(dts, (d.Img, d.Cat)).Add(d);
        }

        long[] evalCats = p.UseCats ? catIds : [-1];
        int maxLast = p.MaxDets[^1];
        var evalImgs = new List<EvalImg?>();
        foreach (long cat in evalCats)
            foreach (var rng in p.AreaRng)
                foreach (long img in imgIds)
                    evalImgs.Add(EvaluateImg(img, cat, rng, maxLast));

        // accumulate
        int T = p.IouThrs.Length, R = p.RecThrs.Length, K = evalCats.Length, A = p.AreaRng.Length, M = p.MaxDets.Length, I = imgIds.Length;
        var precision = new double[T, R, K, A, M];
        var recall = new double[T, K, A, M];
        var scores = new double[T, R, K, A, M];
        for (int t = 0; t < T; t++) for (int r = 0; r < R; r++) for (int k = 0; k < K; k++) for (int a = 0; a < A; a++) for (int m = 0; m < M; m++)
        { precision[t, r, k, a, m] = -1; scores[t, r, k, a, m] = -1; }
        for (int t = 0; t < T; t++) for (int k = 0; k < K; k++) for (int a = 0; a < A; a++) for (int m = 0; m < M; m++) recall[t, k, a, m] = -1;

        for (int k = 0; k < K; k++)
            for (int a = 0; a < A; a++)
                for (int m = 0; m < M; m++)
                {
                    int maxDet = p.MaxDets[m];
                    var E = Enumerable.Range(0, I).Select(i => evalImgs[k * A * I + a * I + i]).Where(e => e != null).Select(e => e!).ToList();
                    if (E.Count == 0) continue;
                    var cols = new List<(double score, int e, int d)>();
                    for (int e = 0; e < E.Count; e++)
                        for (int d = 0; d < Math.Min(maxDet, E[e].DtScores.Length); d++) cols.Add((E[e].DtScores[d], e, d));
                    // np.argsort(-scores, kind='mergesort'): LINQ's OrderBy is stable
                    var inds = Enumerable.Range(0, cols.Count).OrderBy(i => -cols[i].score).ToArray();
                    int npig = E.Sum(e => e.GtIgnore.Count(x => !x));
                    if (npig == 0) continue;
                    for (int t = 0; t < T; t++)
                    {
                        int nd = inds.Length;
                        var rc = new double[nd];
                        var pr = new double[nd];
                        double tpSum = 0, fpSum = 0;
                        for (int i = 0; i < nd; i++)
                        {
                            var c = cols[inds[i]];
                            double dtm = E[c.e].DtMatches[t, c.d];
                            bool ig = E[c.e].DtIgnore[t, c.d];
                            if (dtm != 0 && !ig) tpSum++;
                            if (dtm == 0 && !ig) fpSum++;
                            rc[i] = tpSum / npig;
                            pr[i] = tpSum / (fpSum + tpSum + 2.220446049250313e-16);
                        }
                        recall[t, k, a, m] = nd > 0 ? rc[nd - 1] : 0;
                        for (int i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
                        var q = new double[R];
                        var ss = new double[R];
                        for (int ri = 0; ri < R; ri++)
                        {
                            int pi = 0;
                            while (pi < nd && rc[pi] < p.RecThrs[ri]) pi++;
                            if (pi >= nd) break;   // IndexError caught by `except: pass`
                            q[ri] = pr[pi];
                            ss[ri] = cols[inds[pi]].score;
                        }
                        for (int ri = 0; ri < R; ri++) { precision[t, ri, k, a, m] = q[ri]; scores[t, ri, k, a, m] = ss[ri]; }
                    }
                }
        return (precision, recall, scores);

        EvalImg? EvaluateImg(long img, long cat, CocoAreaRange rng, int maxDet)
        {
            List<Gt> gt;
            List<Dt> dt;
            if (p.UseCats)
            {
                gt = gts.TryGetValue((img, cat), out var g0) ? g0 : [];
                dt = dts.TryGetValue((img, cat), out var d0) ? d0 : [];
            }
            else
            {
                gt = catIds.SelectMany(c => gts.TryGetValue((img, c), out var l) ? l : []).ToList();
                dt = catIds.SelectMany(c => dts.TryGetValue((img, c), out var l) ? l : []).ToList();
            }
            if (gt.Count == 0 && dt.Count == 0) return null;

            // computeIoU: dts sorted and cut at maxDets[-1], gts in load order
            var dtSorted = dt.Select((d, i) => (d, i)).OrderBy(x => -x.d.Score).Select(x => x.d).Take(maxLast).ToList();
            var ious = new double[dtSorted.Count, gt.Count];
            for (int d = 0; d < dtSorted.Count; d++)
                for (int g = 0; g < gt.Count; g++) ious[d, g] = CocoBoxIou.Iou(dtSorted[d].Box, gt[g].Box, gt[g].Crowd);

            var ignore = gt.Select(g => g.Crowd || g.Area < rng.Min || g.Area > rng.Max).ToArray();
            var gtind = Enumerable.Range(0, gt.Count).OrderBy(i => ignore[i] ? 1 : 0).ToArray();
            var gtS = gtind.Select(i => gt[i]).ToList();
            var dtS = dtSorted.Take(maxDet).ToList();
            var crowd = gtS.Select(g => g.Crowd).ToArray();
            var gtIg = gtind.Select(i => ignore[i]).ToArray();
            int T = p.IouThrs.Length, G = gtS.Count, D = dtS.Count;
            var gtm = new double[T, G];
            var dtm = new double[T, D];
            var dtIg = new bool[T, D];
            if (D > 0 && G > 0)
            {
                for (int t = 0; t < T; t++)
                    for (int d = 0; d < D; d++)
                    {
                        double iou = Math.Min(p.IouThrs[t], 1 - 1e-10);
                        int m = -1;
                        for (int g = 0; g < G; g++)
                        {
                            if (gtm[t, g] > 0 && !crowd[g]) continue;
                            if (m > -1 && !gtIg[m] && gtIg[g]) break;
                            if (ious[d, gtind[g]] < iou) continue;
                            iou = ious[d, gtind[g]];
                            m = g;
                        }
                        if (m == -1) continue;
                        dtIg[t, d] = gtIg[m];
                        dtm[t, d] = gtS[m].Id;
                        gtm[t, m] = dtS[d].Id;
                    }
            }
            for (int d = 0; d < D; d++)
            {
                bool outside = dtS[d].Area < rng.Min || dtS[d].Area > rng.Max;
                for (int t = 0; t < T; t++) dtIg[t, d] = dtIg[t, d] || (dtm[t, d] == 0 && outside);
            }
            return new EvalImg(dtS.Select(d => d.Id).ToArray(), dtS.Select(d => d.Score).ToArray(), dtm, dtIg, gtIg);
        }
    }

    static List<T> Bucket<T>(Dictionary<(long, long), List<T>> map, (long, long) key)
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        return list;
    }
}
