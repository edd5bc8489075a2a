namespace DetrSharp.Assignment.Tests;

/// <summary>The best total over every assignment, by exhaustive search (small matrices only).</summary>
internal static class BruteForce
{
    /// <summary>The least (greatest when maximizing) total of min(rows, cols) pairs avoiding forbidden entries; null when none exists.</summary>
    public static double? Best(double[] cost, int rows, int cols, bool maximize)
    {
        if (rows == 0 || cols == 0) return 0;
        // Enumerate from the smaller side.
        bool flip = rows > cols;
        int n = flip ? cols : rows, m = flip ? rows : cols;
        double At(int i, int j) => flip ? cost[j * cols + i] : cost[i * cols + j];
        double forbidden = maximize ? double.NegativeInfinity : double.PositiveInfinity;
        double? best = null;
        var used = new bool[m];

        void Go(int i, double sum)
        {
            if (i == n)
            {
                if (best is null || (maximize ? sum > best : sum < best)) best = sum;
                return;
            }
            for (int j = 0; j < m; j++)
            {
                if (used[j]) continue;
                double x = At(i, j);
                if (x == forbidden) continue;
                used[j] = true;
                Go(i + 1, sum + x);
                used[j] = false;
            }
        }

        Go(0, 0);
        return best;
    }
}
