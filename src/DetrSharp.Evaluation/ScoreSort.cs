namespace DetrSharp.Evaluation;

/// <summary>
/// numpy's <c>argsort(-scores, kind='mergesort')</c> for long runs: positions by descending score, NaN
/// last, ties in position order, done as a key sort (fast, unstable) followed by re-sorting each run of
/// equal scores by position, which makes it stable.
/// </summary>
internal static class ScoreSort
{
    /// <summary>Sorts <paramref name="positions"/> (indices into <paramref name="scores"/>, ascending on entry).</summary>
    public static void Sort(double[] scores, int[] positions)
    {
        int n = positions.Length, kept = 0;
        var keys = new double[n];
        var nan = new List<int>();
        foreach (int p in positions)
        {
            double s = scores[p];
            if (double.IsNaN(s)) nan.Add(p);
            else
            {
                keys[kept] = -s;
                positions[kept++] = p;
            }
        }
        for (int j = 0; j < nan.Count; j++) positions[kept + j] = nan[j];   // NaN last, in position order
        Array.Sort(keys, positions, 0, kept);
        for (int i = 0; i < kept;)
        {
            int j = i + 1;
            while (j < kept && keys[j] == keys[i]) j++;
            if (j - i > 1) Array.Sort(positions, i, j - i);
            i = j;
        }
    }
}
