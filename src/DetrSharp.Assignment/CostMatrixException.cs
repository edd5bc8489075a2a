namespace DetrSharp.Assignment;

/// <summary>
/// A cost matrix that linear sum assignment refuses, with scipy's meaning: see <see cref="Error"/>.
/// The message starts with scipy's own words ("matrix contains invalid numeric entries",
/// "cost matrix is infeasible", "expected a matrix (2-D array)") and then names the offending input.
/// </summary>
public sealed class CostMatrixException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public CostMatrixException(CostMatrixError error, string message, string? paramName = null, Exception? innerException = null)
        : base(message, paramName, innerException)
    {
        Error = error;
        Reason = message;
    }

    /// <summary>The message without the parameter name that <see cref="ArgumentException.Message"/> appends.</summary>
    public string Reason { get; }

    /// <summary>Which check the matrix failed.</summary>
    public CostMatrixError Error { get; }

    /// <summary>scipy's message for <paramref name="error"/>.</summary>
    public static string ScipyMessage(CostMatrixError error) => error switch
    {
        CostMatrixError.NotAMatrix => "expected a matrix (2-D array)",
        CostMatrixError.InvalidEntries => "matrix contains invalid numeric entries",
        CostMatrixError.Infeasible => "cost matrix is infeasible",
        _ => error.ToString(),
    };
}
