using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DetrSharp.Assignment;

/// <summary>
/// Linear sum assignment with the semantics of scipy's <c>scipy.optimize.linear_sum_assignment</c>
/// (scipy 1.10): choose min(rows, cols) pairs, at most one per row and per column, of least total cost
/// (or greatest, with <c>maximize</c>).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Either orientation of rectangular matrix; the result has min(rows, cols) pairs with row indices
/// ascending (see <see cref="Assignment"/>).</item>
/// <item>+inf marks a forbidden pair (-inf when maximizing). NaN, and -inf when minimizing (+inf when
/// maximizing), raise <see cref="CostMatrixException"/> with <see cref="CostMatrixError.InvalidEntries"/>;
/// a matrix whose forbidden pairs leave no complete assignment raises <see cref="CostMatrixError.Infeasible"/>.
/// A matrix with no rows or no columns gives an empty result before any check.</item>
/// <item>Values are solved in float64 (float32 input is widened exactly), with scipy's algorithm and
/// scipy's arithmetic, so results, ties included, are scipy's indices.</item>
/// <item>Each thread reuses its own workspace: after the first calls at a size, a call allocates only its result.
/// Methods are thread-safe.</item>
/// </list>
/// </remarks>
public static unsafe partial class LinearSumAssignment
{
    /// <summary>Solves a row-major float64 matrix of <paramref name="rows"/> x <paramref name="cols"/> entries.</summary>
    /// <param name="cost">The entries, row-major; length rows * cols.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <param name="maximize">Find the assignment of greatest total instead of least.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    /// <exception cref="ArgumentException">The length is not rows * cols.</exception>
    /// <exception cref="CostMatrixException">An entry is invalid, or the matrix is infeasible.</exception>
    public static Assignment Solve(ReadOnlySpan<double> cost, int rows, int cols, bool maximize = false)
    {
        CheckShape(cost.Length, rows, cols, nameof(cost));
        if (rows == 0 || cols == 0) return Assignment.Empty;
        fixed (double* p = cost) return SolveCore(p, rows, cols, maximize, nameof(cost));
    }

    /// <summary>Solves a row-major float32 matrix (widened to float64, as scipy does).</summary>
    /// <inheritdoc cref="Solve(ReadOnlySpan{double}, int, int, bool)"/>
    public static Assignment Solve(ReadOnlySpan<float> cost, int rows, int cols, bool maximize = false)
    {
        CheckShape(cost.Length, rows, cols, nameof(cost));
        if (rows == 0 || cols == 0) return Assignment.Empty;
        fixed (float* p = cost) return SolveCore(p, rows, cols, maximize, nameof(cost));
    }

    /// <summary>Solves a float64 matrix given as a 2-D array.</summary>
    /// <param name="cost">The matrix, indexed [row, column].</param>
    /// <param name="maximize">Find the assignment of greatest total instead of least.</param>
    /// <exception cref="ArgumentNullException"><paramref name="cost"/> is null.</exception>
    /// <exception cref="CostMatrixException">An entry is invalid, or the matrix is infeasible.</exception>
    public static Assignment Solve(double[,] cost, bool maximize = false)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var values = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(cost)), cost.Length);
        return Solve(values, cost.GetLength(0), cost.GetLength(1), maximize);
    }

    /// <summary>Solves a float32 matrix given as a 2-D array (widened to float64, as scipy does).</summary>
    /// <inheritdoc cref="Solve(double[,], bool)"/>
    public static Assignment Solve(float[,] cost, bool maximize = false)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var values = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, float>(ref MemoryMarshal.GetArrayDataReference(cost)), cost.Length);
        return Solve(values, cost.GetLength(0), cost.GetLength(1), maximize);
    }

    /// <summary>
    /// Solves an array of any rank and numeric or bool element type, the way scipy takes any array-like:
    /// it must be 2-D, and its values are converted to float64 (bool as 0 and 1).
    /// </summary>
    /// <param name="cost">The matrix, indexed [row, column].</param>
    /// <param name="maximize">Find the assignment of greatest total instead of least.</param>
    /// <exception cref="ArgumentNullException"><paramref name="cost"/> is null.</exception>
    /// <exception cref="CostMatrixException">The array is not 2-D (<see cref="CostMatrixError.NotAMatrix"/>),
    /// an entry is invalid, or the matrix is infeasible.</exception>
    /// <exception cref="ArgumentException">The element type is not a number or bool.</exception>
    public static Assignment Solve(Array cost, bool maximize = false)
    {
        ArgumentNullException.ThrowIfNull(cost);
        if (cost.Rank != 2)
        {
            var shape = string.Join(", ", Enumerable.Range(0, cost.Rank).Select(cost.GetLength));
            throw new CostMatrixException(CostMatrixError.NotAMatrix,
                $"{CostMatrixException.ScipyMessage(CostMatrixError.NotAMatrix)}, got a {cost.Rank}-D array of shape [{shape}]", nameof(cost));
        }
        switch (cost)
        {
            case double[,] d: return Solve(d, maximize);
            case float[,] f: return Solve(f, maximize);
        }
        int rows = cost.GetLength(0), cols = cost.GetLength(1);
        var values = new double[cost.Length];
        int k = 0;
        foreach (object? x in cost) values[k++] = ToDouble(x, cost);
        return Solve(values, rows, cols, maximize);
    }

    static double ToDouble(object? x, Array array) => x switch
    {
        bool b => b ? 1 : 0,
        Half h => (double)h,
        byte or sbyte or short or ushort or int or uint or long or ulong or decimal or float or double =>
            Convert.ToDouble(x, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException(
            $"cost matrix of element type {array.GetType().GetElementType()} is not numeric (expected a number or bool type)", "cost"),
    };

    static Assignment SolveCore<T>(T* source, int rows, int cols, bool maximize, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ws = SolverWorkspace.Current;
        bool transpose = cols < rows;
        int nr = transpose ? cols : rows, nc = transpose ? rows : cols;
        try
        {
            // scipy works on a float64 copy that is transposed and negated as needed; a float64 matrix that
            // needs neither is used in place.
            double* cost;
            bool valid;
            if (typeof(T) == typeof(double) && !transpose && !maximize)
            {
                cost = (double*)source;
                valid = CostLoader.FindInvalid(source, (long)rows * cols, maximize) < 0;
            }
            else
            {
                cost = ws.CostCopy((long)nr * nc);
                valid = CostLoader.Copy(source, rows, cols, transpose, maximize, cost);
            }
            if (!valid)
            {
                long bad = CostLoader.FindInvalid(source, (long)rows * cols, maximize);
                throw InvalidEntry(double.CreateTruncating(source[bad]), bad, rows, cols, maximize, name);
            }
            if (!ShortestAugmentingPath.Solve(ws, cost, nr, nc))
                throw new CostMatrixException(CostMatrixError.Infeasible,
                    $"{CostMatrixException.ScipyMessage(CostMatrixError.Infeasible)}: the forbidden ({(maximize ? "-inf" : "+inf")}) entries of " +
                    $"the {rows}x{cols} matrix '{name}' leave no assignment of {nr} pairs", name);
            return transpose ? ReadTransposed(ws, nr, nc) : ReadStraight(ws, nr);
        }
        finally
        {
            ws.Trim();
        }
    }

    static Assignment ReadStraight(SolverWorkspace ws, int nr)
    {
        var rowsOut = new int[nr];
        var colsOut = new int[nr];
        for (int i = 0; i < nr; i++) rowsOut[i] = i;
        new ReadOnlySpan<int>(ws.Col4Row, nr).CopyTo(colsOut);
        return new Assignment(rowsOut, colsOut);
    }

    // The solved problem is the transpose: its columns are the caller's rows, so walking them in order
    // gives the pairs sorted by the caller's row index.
    static Assignment ReadTransposed(SolverWorkspace ws, int nr, int nc)
    {
        var rowsOut = new int[nr];
        var colsOut = new int[nr];
        int* row4col = ws.Row4Col;
        for (int j = 0, k = 0; j < nc; j++)
        {
            int r = row4col[j];
            if (r < 0) continue;
            rowsOut[k] = j;
            colsOut[k] = r;
            k++;
        }
        return new Assignment(rowsOut, colsOut);
    }

    static CostMatrixException InvalidEntry(double value, long index, int rows, int cols, bool maximize, string name)
    {
        string what = maximize ? "NaN and +inf are not allowed when maximizing" : "NaN and -inf are not allowed when minimizing";
        return new CostMatrixException(CostMatrixError.InvalidEntries,
            $"{CostMatrixException.ScipyMessage(CostMatrixError.InvalidEntries)}: {name}[{index / cols}, {index % cols}] of the " +
            $"{rows}x{cols} matrix is {value.ToString(CultureInfo.InvariantCulture)} ({what})", name);
    }

    /// <summary>Checks that a row-major buffer of <paramref name="length"/> values holds rows x cols entries.</summary>
    internal static void CheckShape(int length, int rows, int cols, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if ((long)rows * cols != length)
            throw new ArgumentException($"{name} has {length} values but a {rows}x{cols} matrix needs {(long)rows * cols}", name);
    }
}
