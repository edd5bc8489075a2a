using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DetrSharp.Assignment;

/// <summary>
/// The shortest augmenting path algorithm of Jonker and Volgenant in the rectangular form of
/// D. F. Crouse, "On implementing 2D rectangular assignment algorithms" (IEEE TAES, 2016), which is the
/// algorithm of scipy's <c>linear_sum_assignment</c>: rows are added one at a time, each by a Dijkstra
/// search over reduced costs, followed by a dual update and the augmentation. It makes scipy's decisions
/// in scipy's order with scipy's arithmetic, so that ties resolve to scipy's indices; only the column scan
/// differs, done as dense SIMD passes (<see cref="ColumnScan"/>). O(nr^2 nc) time.
/// </summary>
internal static unsafe class ShortestAugmentingPath
{
    /// <summary>
    /// Solves an nr x nc problem (1 &lt;= nr &lt;= nc) whose entries are finite or +inf (forbidden).
    /// On success, <c>ws.Col4Row[0..nr)</c> holds each row's column and <c>ws.Row4Col[0..nc)</c> each
    /// column's row or -1. Returns false when the matrix is infeasible.
    /// </summary>
    /// <param name="ws">The workspace (buffers are sized here).</param>
    /// <param name="cost">nr x nc entries, row-major.</param>
    /// <param name="nr">Rows, at least 1.</param>
    /// <param name="nc">Columns, at least nr.</param>
    /// <param name="maxLanes">The widest vector to use, in doubles (tests lower it to cover every width).</param>
    public static bool Solve(SolverWorkspace ws, double* cost, int nr, int nc, int maxLanes = int.MaxValue)
    {
        ws.Prepare(nr, nc);
        if (Vector512.IsHardwareAccelerated && nc >= Lanes512.Count && maxLanes >= Lanes512.Count) return Run<Lanes512>(ws, cost, nr, nc);
        if (Vector256.IsHardwareAccelerated && nc >= Lanes256.Count && maxLanes >= Lanes256.Count) return Run<Lanes256>(ws, cost, nr, nc);
        if (Vector128.IsHardwareAccelerated && nc >= Lanes128.Count && maxLanes >= Lanes128.Count) return Run<Lanes128>(ws, cost, nr, nc);
        return Run<Lanes1>(ws, cost, nr, nc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static bool Run<TL>(SolverWorkspace ws, double* cost, int nr, int nc) where TL : unmanaged, ILanes<TL>
    {
        double* u = ws.U, v = ws.V, w = ws.W, d = ws.D, spc = ws.Spc;
        int* path = ws.Path, row4col = ws.Row4Col, col4row = ws.Col4Row, remaining = ws.Remaining, pos = ws.Pos, done = ws.Done, touched = ws.Touched;

        new Span<double>(u, nr).Clear();
        new Span<int>(col4row, nr).Fill(-1);
        new Span<double>(v, nc).Clear();
        new Span<double>(w, nc).Clear();
        new Span<int>(row4col, nc).Fill(-1);
        // scipy scans its open columns starting from the last one (a constant matrix then gives the identity).
        for (int j = 0; j < nc; j++)
        {
            remaining[j] = nc - 1 - j;
            pos[j] = nc - 1 - j;
        }

        for (int curRow = 0; curRow < nr; curRow++)
        {
            // Dijkstra from curRow until an unassigned column is reached.
            double minVal = 0;
            int i = curRow, settled = 0, nTouched = 0, open = nc, sink;
            while (true)
            {
                double m = settled == 0
                    ? ColumnScan.RelaxFirst<TL>(cost + (long)i * nc, w, d, path, nc, minVal, u[i], i)
                    : ColumnScan.Relax<TL>(cost + (long)i * nc, w, d, path, nc, minVal, u[i], i);
                if (m == double.PositiveInfinity) return false;
                int j = ColumnScan.Pick<TL>(d, nc, m, row4col, pos);
                minVal = m;
                spc[j] = m;
                done[settled++] = j;
                d[j] = double.PositiveInfinity;
                w[j] = double.NegativeInfinity;
                // Remove j from the scan order the way scipy does: the last open column takes its place.
                int p = pos[j], last = remaining[--open];
                remaining[p] = last;
                pos[last] = p;
                touched[nTouched++] = j;
                touched[nTouched++] = last;
                if (row4col[j] < 0) { sink = j; break; }
                i = row4col[j];
            }

            // Dual update: the rows and columns of the search tree.
            u[curRow] += minVal;
            for (int k = 0; k < settled - 1; k++)
            {
                int j = done[k];
                u[row4col[j]] += minVal - spc[j];
            }
            for (int k = 0; k < settled; k++)
            {
                int j = done[k];
                v[j] -= minVal - spc[j];
                w[j] = v[j];
            }

            // Augment along the path back from the sink.
            for (int j = sink; ;)
            {
                int r = path[j];
                row4col[j] = r;
                (col4row[r], j) = (j, col4row[r]);
                if (r == curRow) break;
            }

            // Restore scipy's initial scan order for the next search.
            for (int k = 0; k < nTouched; k++)
            {
                int c = touched[k];
                remaining[nc - 1 - c] = c;
                pos[c] = nc - 1 - c;
            }
        }
        return true;
    }
}
