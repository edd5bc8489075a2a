namespace DetrSharp.Assignment;

/// <summary>
/// The answer of a linear sum assignment: <see cref="Count"/> pairs (<c>Rows[k]</c>, <c>Cols[k]</c>),
/// as scipy's <c>(row_ind, col_ind)</c>. There are min(rows, cols) pairs, <see cref="Rows"/> is strictly
/// ascending (for a matrix with at least as many columns as rows it is 0, 1, ..., rows - 1), and
/// no column appears twice.
/// </summary>
/// <remarks>
/// The arrays are owned by the caller once returned; the solver keeps no reference to them.
/// Equality is by reference, as for any class holding arrays.
/// </remarks>
public sealed class Assignment
{
    /// <summary>An assignment of no pairs (the answer for a matrix with no rows or no columns).</summary>
    public static Assignment Empty { get; } = new([], []);

    /// <summary>Creates an assignment from its row and column indices (same length, paired by position).</summary>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public Assignment(int[] rows, int[] cols)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(cols);
        if (rows.Length != cols.Length)
            throw new ArgumentException($"rows has {rows.Length} indices but cols has {cols.Length}", nameof(cols));
        Rows = rows;
        Cols = cols;
    }

    /// <summary>Row index of each pair, ascending (scipy's <c>row_ind</c>).</summary>
    public int[] Rows { get; }

    /// <summary>Column index of each pair (scipy's <c>col_ind</c>).</summary>
    public int[] Cols { get; }

    /// <summary>Number of pairs: min(rows, cols) of the solved matrix.</summary>
    public int Count => Rows.Length;

    /// <summary>Deconstructs into (rows, cols), like scipy's returned tuple.</summary>
    public void Deconstruct(out int[] rows, out int[] cols)
    {
        rows = Rows;
        cols = Cols;
    }

    /// <summary>
    /// The sum of the matched entries of a row-major matrix with <paramref name="cols"/> columns,
    /// added in pair order (scipy's <c>cost[row_ind, col_ind].sum()</c> up to summation order).
    /// </summary>
    public double TotalCost(ReadOnlySpan<double> cost, int cols)
    {
        double sum = 0;
        for (int k = 0; k < Rows.Length; k++) sum += cost[checked(Rows[k] * cols + Cols[k])];
        return sum;
    }

    /// <inheritdoc cref="TotalCost(ReadOnlySpan{double}, int)"/>
    public double TotalCost(ReadOnlySpan<float> cost, int cols)
    {
        double sum = 0;
        for (int k = 0; k < Rows.Length; k++) sum += cost[checked(Rows[k] * cols + Cols[k])];
        return sum;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"Assignment({Count} pairs: [{string.Join(", ", Rows.Zip(Cols, (r, c) => $"{r}->{c}"))}])";
}
