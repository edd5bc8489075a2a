namespace DetrSharp.Assignment;

public static partial class LinearSumAssignment
{
    /// <summary>
    /// Solves many independent matrices (one per image) on the thread pool, at most
    /// <paramref name="maxDegreeOfParallelism"/> at a time, the calling thread taking part.
    /// The results are those of <see cref="CostMatrix.Solve"/> on each matrix, in order.
    /// </summary>
    /// <param name="matrices">The matrices; any mix of shapes and of float32 / float64.</param>
    /// <param name="maximize">Find the assignments of greatest total instead of least.</param>
    /// <param name="maxDegreeOfParallelism">How many matrices may be solved at once; -1 for the core count.</param>
    /// <exception cref="ArgumentNullException"><paramref name="matrices"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    /// <exception cref="CostMatrixException">A matrix is refused; the message starts with the lowest refused index
    /// (<c>matrices[k]: ...</c>) and <see cref="Exception.InnerException"/> is that matrix's own exception.</exception>
    public static Assignment[] SolveBatch(IReadOnlyList<CostMatrix> matrices, bool maximize = false, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(matrices);
        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism,
                "maxDegreeOfParallelism must be -1 (the core count) or at least 1");
        int count = matrices.Count;
        int width = Math.Min(maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism, count);
        if (width <= 1)
        {
            var results = new Assignment[count];
            for (int k = 0; k < count; k++)
            {
                try { results[k] = matrices[k].Solve(maximize); }
                catch (CostMatrixException e) { throw InBatch(e, k); }
            }
            return results;
        }

        var (solved, errors) = new BatchRun(matrices, maximize).Run(width);
        for (int k = 0; k < count; k++)
        {
            if (errors[k] is not { } error) continue;
            if (error.SourceException is CostMatrixException e) throw InBatch(e, k);
            error.Throw();
        }
        return solved;
    }

    static CostMatrixException InBatch(CostMatrixException e, int index) =>
        new(e.Error, $"matrices[{index}]: {e.Reason}", "matrices", e);
}
