namespace DetrSharp.Assignment;

/// <summary>
/// One row-major cost matrix for <see cref="LinearSumAssignment.SolveBatch"/>: float32 or float64 values
/// with their row and column counts. The values are read, never written or kept, by the solver.
/// </summary>
public readonly struct CostMatrix
{
    readonly ReadOnlyMemory<double> _doubles;
    readonly ReadOnlyMemory<float> _singles;

    /// <summary>A float64 matrix of <paramref name="rows"/> x <paramref name="cols"/> values in row-major order.</summary>
    /// <exception cref="ArgumentException">The length is not rows * cols, or a count is negative.</exception>
    public CostMatrix(ReadOnlyMemory<double> values, int rows, int cols)
    {
        LinearSumAssignment.CheckShape(values.Length, rows, cols, nameof(values));
        _doubles = values;
        Rows = rows;
        Cols = cols;
    }

    /// <summary>A float32 matrix of <paramref name="rows"/> x <paramref name="cols"/> values in row-major order (solved in float64).</summary>
    /// <exception cref="ArgumentException">The length is not rows * cols, or a count is negative.</exception>
    public CostMatrix(ReadOnlyMemory<float> values, int rows, int cols)
    {
        LinearSumAssignment.CheckShape(values.Length, rows, cols, nameof(values));
        _singles = values;
        IsSingle = true;
        Rows = rows;
        Cols = cols;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>Whether the values are float32 (<see cref="Singles"/>) rather than float64 (<see cref="Doubles"/>).</summary>
    public bool IsSingle { get; }

    /// <summary>The float64 values (empty when <see cref="IsSingle"/>).</summary>
    public ReadOnlyMemory<double> Doubles => _doubles;

    /// <summary>The float32 values (empty unless <see cref="IsSingle"/>).</summary>
    public ReadOnlyMemory<float> Singles => _singles;

    /// <summary>Solves this matrix on the calling thread (<see cref="LinearSumAssignment.Solve(ReadOnlySpan{double}, int, int, bool)"/>).</summary>
    public Assignment Solve(bool maximize = false) => IsSingle
        ? LinearSumAssignment.Solve(_singles.Span, Rows, Cols, maximize)
        : LinearSumAssignment.Solve(_doubles.Span, Rows, Cols, maximize);

    /// <inheritdoc/>
    public override string ToString() => $"CostMatrix({Rows}x{Cols}, {(IsSingle ? "float32" : "float64")})";
}
