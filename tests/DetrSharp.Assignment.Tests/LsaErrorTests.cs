using Xunit;

namespace DetrSharp.Assignment.Tests;

/// <summary>scipy's errors, in scipy's order, and the argument checks of the .NET API.</summary>
public class LsaErrorTests
{
    const double Inf = double.PositiveInfinity;

    static CostMatrixException Refused(double[] cost, int rows, int cols, bool maximize = false) =>
        Assert.Throws<CostMatrixException>(() => LinearSumAssignment.Solve(cost, rows, cols, maximize));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NaNIsInvalid(bool maximize)
    {
        var e = Refused([1, 2, double.NaN, 4], 2, 2, maximize);
        Assert.Equal(CostMatrixError.InvalidEntries, e.Error);
        Assert.StartsWith("matrix contains invalid numeric entries", e.Message);
        Assert.Contains("cost[1, 0]", e.Message);
        Assert.Contains("NaN", e.Message);
        Assert.Equal("cost", e.ParamName);
    }

    [Fact]
    public void NegativeInfinityIsInvalidWhenMinimizing()
    {
        var e = Refused([1, 2, 3, 4, 5, double.NegativeInfinity], 2, 3);
        Assert.Equal(CostMatrixError.InvalidEntries, e.Error);
        Assert.Contains("cost[1, 2]", e.Message);
    }

    [Fact]
    public void PositiveInfinityIsInvalidWhenMaximizing()
    {
        var e = Refused([1, 2, 3, Inf, 5, 6], 3, 2, maximize: true);
        Assert.Equal(CostMatrixError.InvalidEntries, e.Error);
        Assert.Contains("cost[1, 1]", e.Message);
    }

    [Fact]
    public void InvalidEntryFoundAnywhereInALargeMatrix()
    {
        foreach (int at in new[] { 0, 7, 8, 63, 64, 399 })
        {
            var cost = Enumerable.Repeat(1.0, 400).ToArray();
            cost[at] = double.NaN;
            Assert.Contains($"cost[{at / 20}, {at % 20}]", Refused(cost, 20, 20).Message);
            var single = Enumerable.Repeat(1f, 400).ToArray();
            single[at] = float.NegativeInfinity;
            Assert.Throws<CostMatrixException>(() => LinearSumAssignment.Solve(single, 20, 20));
        }
    }

    [Fact]
    public void ForbiddenInfinitiesAreAllowed()
    {
        var a = LinearSumAssignment.Solve([Inf, 1, 2, Inf], 2, 2);
        Assert.Equal(new[] { 1, 0 }, a.Cols);
        var b = LinearSumAssignment.Solve([double.NegativeInfinity, 1, 2, double.NegativeInfinity], 2, 2, maximize: true);
        Assert.Equal(new[] { 1, 0 }, b.Cols);
    }

    [Fact]
    public void InvalidEntriesAreReportedBeforeInfeasibility()
    {
        var e = Refused([double.NaN, 1, Inf, Inf], 2, 2);
        Assert.Equal(CostMatrixError.InvalidEntries, e.Error);
    }

    [Fact]
    public void RowOfForbiddenEntriesIsInfeasible()
    {
        var e = Refused([1, 2, 3, Inf, Inf, Inf, 4, 5, 6], 3, 3);
        Assert.Equal(CostMatrixError.Infeasible, e.Error);
        Assert.StartsWith("cost matrix is infeasible", e.Message);
        Assert.Equal(CostMatrixError.Infeasible, Refused([1, 2, 3, 4, Inf, Inf, Inf, Inf], 2, 4).Error);
    }

    [Fact]
    public void HallViolationIsInfeasible()
    {
        // Rows 0..2 can only use columns 0 and 1.
        var c = new double[]
        {
            1, 2, Inf, Inf,
            3, 4, Inf, Inf,
            5, 6, Inf, Inf,
            1, 1, 1, 1,
        };
        Assert.Equal(CostMatrixError.Infeasible, Refused(c, 4, 4).Error);
        Assert.Equal(CostMatrixError.Infeasible, Refused(c.Select(x => -x).ToArray(), 4, 4, maximize: true).Error);
    }

    [Fact]
    public void SpareRowOfForbiddenEntriesIsFeasible()
    {
        // Tall: the all-forbidden row is simply left out.
        var a = LinearSumAssignment.Solve([1, 2, Inf, Inf, 3, 1], 3, 2);
        Assert.Equal(new[] { 0, 2 }, a.Rows);
        Assert.Equal(new[] { 0, 1 }, a.Cols);
    }

    [Fact]
    public void EmptyMatricesGiveEmptyResultsBeforeAnyCheck()
    {
        foreach (var (r, c) in new[] { (0, 0), (0, 5), (5, 0) })
        {
            var a = LinearSumAssignment.Solve(ReadOnlySpan<double>.Empty, r, c);
            Assert.Empty(a.Rows);
            Assert.Empty(a.Cols);
            Assert.Empty(LinearSumAssignment.Solve(new double[r, c], maximize: true).Rows);
            Assert.Empty(LinearSumAssignment.Solve(new float[r, c]).Cols);
            Assert.Empty(LinearSumAssignment.Solve((Array)new bool[r, c]).Cols);
        }
    }

    [Fact]
    public void NotAMatrix()
    {
        var one = Assert.Throws<CostMatrixException>(() => LinearSumAssignment.Solve(new double[] { 1, 2, 3 } as Array));
        Assert.Equal(CostMatrixError.NotAMatrix, one.Error);
        Assert.StartsWith("expected a matrix (2-D array), got a 1-D array of shape [3]", one.Message);
        var three = Assert.Throws<CostMatrixException>(() => LinearSumAssignment.Solve(new float[2, 3, 4]));
        Assert.Equal(CostMatrixError.NotAMatrix, three.Error);
        Assert.Contains("[2, 3, 4]", three.Message);
        // The rank is checked before emptiness, as scipy does.
        Assert.Equal(CostMatrixError.NotAMatrix, Assert.Throws<CostMatrixException>(() => LinearSumAssignment.Solve(new double[0] as Array)).Error);
    }

    [Fact]
    public void ArgumentChecks()
    {
        Assert.Throws<ArgumentException>(() => LinearSumAssignment.Solve(new double[5], 2, 3));
        Assert.Throws<ArgumentException>(() => LinearSumAssignment.Solve(new float[7], 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearSumAssignment.Solve(new double[0], -1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearSumAssignment.Solve(new double[0], 0, -2));
        Assert.Throws<ArgumentNullException>(() => LinearSumAssignment.Solve((double[,])null!));
        Assert.Throws<ArgumentNullException>(() => LinearSumAssignment.Solve((Array)null!));
        Assert.Throws<ArgumentNullException>(() => LinearSumAssignment.SolveBatch(null!));
        var text = Assert.Throws<ArgumentException>(() => LinearSumAssignment.Solve(new string[1, 1] { { "x" } }));
        Assert.Contains("System.String", text.Message);
        Assert.Throws<ArgumentException>(() => new CostMatrix(new double[3], 2, 2));
        Assert.Throws<ArgumentException>(() => new Assignment([0, 1], [0]));
    }
}
