namespace DetrSharp.Evaluation;

/// <summary>
/// numpy's <c>argsort(-scores, kind='mergesort')</c> as a comparer of positions: higher score first,
/// NaN last, equal scores in position order (a stable sort).
/// </summary>
internal readonly struct DescendingScore(double[] scores) : IComparer<int>
{
    public int Compare(int a, int b)
    {
        double x = scores[a], y = scores[b];
        if (x > y) return -1;
        if (x < y) return 1;
        bool nx = double.IsNaN(x), ny = double.IsNaN(y);
        if (nx != ny) return nx ? 1 : -1;
        return a.CompareTo(b);
    }

    /// <summary>Sorts positions in place; short spans by insertion (stable), longer ones by introsort with the position tie-break.</summary>
    public void Sort(Span<int> positions)
    {
        if (positions.Length <= 16)
        {
            for (int i = 1; i < positions.Length; i++)
            {
                int p = positions[i], j = i - 1;
                while (j >= 0 && Compare(positions[j], p) > 0) { positions[j + 1] = positions[j]; j--; }
                positions[j + 1] = p;
            }
            return;
        }
        positions.Sort(this);
    }
}
