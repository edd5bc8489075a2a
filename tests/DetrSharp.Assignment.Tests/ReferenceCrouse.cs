namespace DetrSharp.Assignment.Tests;

/// <summary>
/// A plain, unoptimised transcription of the rectangular shortest augmenting path algorithm as scipy runs it
/// (open columns kept in a list scanned front to back, the last open column moved into a removed one's place,
/// ties going to an unassigned column). The optimised solver must give the same indices on every input.
/// Minimization of a wide (rows &lt;= cols) matrix of finite or +inf entries; null when infeasible.
/// </summary>
internal static class ReferenceCrouse
{
    public static int[]? Solve(double[] cost, int nr, int nc)
    {
        var u = new double[nr];
        var v = new double[nc];
        var col4row = Enumerable.Repeat(-1, nr).ToArray();
        var row4col = Enumerable.Repeat(-1, nc).ToArray();
        var path = new int[nc];
        for (int cur = 0; cur < nr; cur++)
        {
            var spc = Enumerable.Repeat(double.PositiveInfinity, nc).ToArray();
            var inTreeRow = new bool[nr];
            var inTreeCol = new bool[nc];
            var open = Enumerable.Range(0, nc).Reverse().ToList();
            double minVal = 0;
            int i = cur, sink = -1;
            while (sink < 0)
            {
                inTreeRow[i] = true;
                int best = -1;
                double lowest = double.PositiveInfinity;
                for (int k = 0; k < open.Count; k++)
                {
                    int j = open[k];
                    double r = minVal + cost[i * nc + j] - u[i] - v[j];
                    if (r < spc[j]) { spc[j] = r; path[j] = i; }
                    if (spc[j] < lowest || (spc[j] == lowest && row4col[j] < 0)) { lowest = spc[j]; best = k; }
                }
                minVal = lowest;
                if (double.IsPositiveInfinity(minVal)) return null;
                int col = open[best];
                inTreeCol[col] = true;
                open[best] = open[^1];
                open.RemoveAt(open.Count - 1);
                if (row4col[col] < 0) sink = col; else i = row4col[col];
            }
            u[cur] += minVal;
            for (int r = 0; r < nr; r++)
                if (inTreeRow[r] && r != cur) u[r] += minVal - spc[col4row[r]];
            for (int j = 0; j < nc; j++)
                if (inTreeCol[j]) v[j] -= minVal - spc[j];
            for (int j = sink; ;)
            {
                int r = path[j];
                row4col[j] = r;
                (col4row[r], j) = (j, col4row[r]);
                if (r == cur) break;
            }
        }
        return col4row;
    }
}
