namespace DetrSharp.Assignment;

/// <summary>Why a cost matrix was refused (see <see cref="CostMatrixException"/>).</summary>
public enum CostMatrixError
{
    /// <summary>The input is not a matrix (scipy: "expected a matrix (2-D array), got a N array").</summary>
    NotAMatrix,

    /// <summary>
    /// An entry is NaN, or -inf when minimizing, or +inf when maximizing
    /// (scipy: "matrix contains invalid numeric entries").
    /// </summary>
    InvalidEntries,

    /// <summary>
    /// Forbidden entries (+inf when minimizing, -inf when maximizing) leave no way to assign
    /// min(rows, cols) pairs (scipy: "cost matrix is infeasible").
    /// </summary>
    Infeasible,
}
