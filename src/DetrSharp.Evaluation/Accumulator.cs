using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DetrSharp.Evaluation;

/// <summary>
/// <c>COCOeval.accumulate</c>: per category, area range and maxDets, the detections of all images in
/// image-id order (each image's first maxDet) stable-sorted by descending score, cumulative TP/FP per IoU
/// threshold, precision tp / (tp + fp + eps) made non-increasing from the right and read at
/// <c>searchsorted(rc, recThrs, 'left')</c>, 0 past the last detection. Parallel over (category, area
/// range); each pair fills its own block, scattered into the [T, R, K, A, M] arrays at the end.
/// </summary>
internal static class Accumulator
{
    const double Eps = 2.220446049250313e-16;   // np.spacing(1)
    const int PastEnd = int.MaxValue;

    /// <summary>One (category, area range): precision and scores [M, T, R], recall [M, T].</summary>
    sealed class Block(int m, int t, int r)
    {
        public readonly double[] Precision = new double[m * t * r];
        public readonly double[] Scores = new double[m * t * r];
        public readonly double[] Recall = new double[m * t];
    }

    public static CocoAccumulation Run(EvaluationTable table, EvalUnits units, CocoEvalParams p, int width)
    {
        int T = p.IouThrs.Length, R = p.RecThrs.Length, K = units.CategoryCount, A = p.AreaRng.Length, M = p.MaxDets.Length;
        int nI = units.ImageCount;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, width) };

        // per category: whether any cell exists, its detections in accumulate's order, and their ranks
        var order = new int[K][];
        var rankInOrder = new int[K][];
        var present = new bool[K];
        Parallel.For(0, K, options, k =>
        {
            for (int i = 0; i < nI && !present[k]; i++) present[k] = units.Present(k * nI + i);
            int lo = table.DetStart[k * nI], hi = table.DetStart[(k + 1) * nI];
            var pos = new int[hi - lo];
            for (int j = 0; j < pos.Length; j++) pos[j] = lo + j;
            // flat positions run in concatenation order (images by id, each by score), so sorting stably
            // by score is numpy's mergesort of the concatenated scores
            ScoreSort.Sort(table.Score, pos);
            var rank = new int[pos.Length];
            for (int j = 0; j < pos.Length; j++) rank[j] = table.Rank[pos[j]];
            order[k] = pos;
            rankInOrder[k] = rank;
        });

        var blocks = new Block?[K * A];
        Parallel.For(0, K * A, options, job =>
        {
            int k = job / A, a = job % A;
            if (present[k]) blocks[job] = Fill(table, units, p, k, a, order[k], rankInOrder[k]);
        });

        var precision = new double[T, R, K, A, M];
        var recall = new double[T, K, A, M];
        var scores = new double[T, R, K, A, M];
        Parallel.For(0, T, options, t =>
        {
            var pr = Flat(precision);
            var sc = Flat(scores);
            var rc = Flat(recall);
            int at = t * R * K * A * M;
            for (int r = 0; r < R; r++)
                for (int k = 0; k < K; k++)
                    for (int a = 0; a < A; a++)
                    {
                        var b = blocks[k * A + a];
                        for (int m = 0; m < M; m++, at++)
                        {
                            pr[at] = b == null ? -1 : b.Precision[(m * T + t) * R + r];
                            sc[at] = b == null ? -1 : b.Scores[(m * T + t) * R + r];
                        }
                    }
            int atR = t * K * A * M;
            for (int k = 0; k < K; k++)
                for (int a = 0; a < A; a++)
                {
                    var b = blocks[k * A + a];
                    for (int m = 0; m < M; m++) rc[atR++] = b == null ? -1 : b.Recall[m * T + t];
                }
        });

        return new CocoAccumulation
        {
            Params = p, CategoryIds = units.UnitCatIds, Precision = precision, Recall = recall, Scores = scores,
        };
    }

    /// <summary>The block of one category and area range, or null when it has no non-ignored gt (all −1).</summary>
    static Block? Fill(EvaluationTable table, EvalUnits units, CocoEvalParams p, int k, int a, int[] ord, int[] rank)
    {
        int T = p.IouThrs.Length, R = p.RecThrs.Length, M = p.MaxDets.Length, nI = units.ImageCount, U = units.UnitCount;
        int npig = 0;
        for (int i = 0; i < nI; i++) npig += table.NotIgnoredGts[a * U + k * nI + i];
        if (npig == 0) return null;

        var block = new Block(M, T, R);
        // searchsorted(rc, x, 'left') with rc = tp / npig: rc only steps up at true positives, so the answer
        // is position 0 (x <= 0), the j-th true positive for the first j with (j + 1) / npig >= x, or the end
        var reach = new int[R];
        for (int r = 0; r < R; r++) reach[r] = FirstReaching(p.RecThrs[r], npig);

        var fpExtra = new int[T];             // false positives at one threshold only, beyond the common ones
        var ntp = new int[T];
        int stride = npig + 1;                 // true positives per threshold are at most npig
        var tpAt = new int[T * stride];        // flat position of each true positive
        var fpAt = new int[T * stride];        // false positives before it
        var tpPrec = new double[T * stride];   // precision at it, then the best at or after it
        byte[] outcome = table.Outcome[a], summary = table.Summary[a];
        for (int m = 0; m < M; m++)
        {
            int maxDet = p.MaxDets[m], nd = 0, first = -1, fpCommon = 0;
            Array.Clear(ntp);
            Array.Clear(fpExtra);
            for (int j = 0; j < ord.Length; j++)
            {
                if (rank[j] >= maxDet) continue;
                int q = ord[j];
                if (nd++ == 0) first = q;
                byte u = summary[q];
                if (u != EvaluationTable.PerThreshold)
                {
                    fpCommon += (2 - u) >> 1;          // FalsePositive = 0 counts, Ignored = 2 does not
                    continue;
                }
                int src = q * T;
                for (int t = 0; t < T; t++)
                {
                    byte c = outcome[src + t];
                    if (c == EvaluationTable.TruePositive)
                    {
                        int slot = t * stride + ntp[t]++;
                        tpAt[slot] = q;
                        fpAt[slot] = fpCommon + fpExtra[t];
                    }
                    else if (c == EvaluationTable.FalsePositive) fpExtra[t]++;
                }
            }
            for (int t = 0; t < T; t++)
            {
                int n = ntp[t], row = t * stride, outRow = (m * T + t) * R;
                block.Recall[m * T + t] = nd > 0 ? (double)n / npig : 0;
                for (int j = 0; j < n; j++) tpPrec[row + j] = (j + 1) / ((double)fpAt[row + j] + (j + 1) + Eps);
                for (int j = n - 2; j >= 0; j--)
                    if (tpPrec[row + j + 1] > tpPrec[row + j]) tpPrec[row + j] = tpPrec[row + j + 1];
                for (int r = 0; r < R; r++)
                {
                    int j = reach[r];
                    // j < 0: position 0 (the first detection); j < n: the j-th true positive; else past the end
                    int at = j < 0 ? (nd > 0 ? first : -1) : j < n ? tpAt[row + j] : -1;
                    if (at < 0)
                    {
                        // pycocotools stops at the first recall point past the last detection; the rest stay 0
                        for (; r < R; r++) { block.Precision[outRow + r] = 0; block.Scores[outRow + r] = 0; }
                        break;
                    }
                    // precision made non-increasing, read there: the best at or after it, found at that
                    // position or at a later true positive (in between it only falls); 0 before the first one
                    block.Precision[outRow + r] = j >= 0 ? tpPrec[row + j] : n > 0 ? tpPrec[row] : 0.0;
                    block.Scores[outRow + r] = table.Score[at];
                }
            }
        }
        return block;
    }

    /// <summary>−1 when x ≤ 0; else the first j in [0, npig) with (j + 1) / npig ≥ x, or <see cref="PastEnd"/>.</summary>
    static int FirstReaching(double x, int npig)
    {
        if (x <= 0) return -1;
        if (double.IsNaN(x)) return PastEnd;
        int lo = 0, hi = npig;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if ((double)(mid + 1) / npig < x) lo = mid + 1;
            else hi = mid;
        }
        return lo < npig ? lo : PastEnd;
    }

    static Span<double> Flat(Array array)
    {
        ref byte start = ref MemoryMarshal.GetArrayDataReference(array);
        return MemoryMarshal.CreateSpan(ref Unsafe.As<byte, double>(ref start), array.Length);
    }
}
