using Xunit;

namespace DetrSharp.Assignment.Tests;

/// <summary>The entry points agree with each other, and the per-thread workspace never leaks state between calls.</summary>
public class LsaApiTests
{
    [Fact]
    public void ScipyDocumentationExample()
    {
        var (rows, cols) = LinearSumAssignment.Solve(new double[,] { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } });
        Assert.Equal(new[] { 0, 1, 2 }, rows);
        Assert.Equal(new[] { 1, 0, 2 }, cols);
    }

    [Fact]
    public void OverloadsAgree()
    {
        var rng = new Random(3);
        foreach (var (r, c) in new[] { (1, 1), (3, 7), (7, 3), (20, 20), (50, 13) })
        {
            var values = RandomMatrices.Draw(rng, r, c, integers: false, forbiddenRate: 0.1, maximize: false);
            var grid = new double[r, c];
            var grid32 = new float[r, c];
            var gridInt = new int[r, c];
            for (int i = 0; i < r; i++)
                for (int j = 0; j < c; j++)
                {
                    grid[i, j] = values[i * c + j];
                    grid32[i, j] = (float)values[i * c + j];
                    gridInt[i, j] = double.IsInfinity(values[i * c + j]) ? 1000 : (int)(values[i * c + j] * 100);
                }
            var a = LinearSumAssignment.Solve(values, r, c);
            foreach (var b in new[]
                     {
                         LinearSumAssignment.Solve(grid), LinearSumAssignment.Solve(grid32), LinearSumAssignment.Solve((Array)grid),
                         new CostMatrix(values, r, c).Solve(),
                     })
            {
                Assert.Equal(a.Rows, b.Rows);
                Assert.Equal(a.Cols, b.Cols);
            }
            var ints = LinearSumAssignment.Solve((Array)gridInt);
            var intsAsDouble = LinearSumAssignment.Solve(gridInt.Cast<int>().Select(x => (double)x).ToArray(), r, c);
            Assert.Equal(intsAsDouble.Cols, ints.Cols);
        }
    }

    [Fact]
    public void MaximizeIsMinimizeOfTheNegation()
    {
        var rng = new Random(11);
        for (int t = 0; t < 20; t++)
        {
            int r = rng.Next(1, 30), c = rng.Next(1, 30);
            var values = RandomMatrices.Draw(rng, r, c, integers: t % 2 == 0, forbiddenRate: 0.1, maximize: true);
            var max = LinearSumAssignment.Solve(values, r, c, maximize: true);
            var min = LinearSumAssignment.Solve(values.Select(x => -x).ToArray(), r, c);
            Assert.Equal(min.Rows, max.Rows);
            Assert.Equal(min.Cols, max.Cols);
        }
    }

    [Fact]
    public void BoolMatrixIsZeroOne()
    {
        var a = LinearSumAssignment.Solve(new bool[,] { { true, false }, { false, true } });
        Assert.Equal(new[] { 1, 0 }, a.Cols);
    }

    [Fact]
    public void WorkspaceReuseAcrossSizesGivesFreshAnswers()
    {
        var rng = new Random(8);
        var shapes = new[] { (200, 200), (3, 5), (90, 7), (1, 1), (7, 90), (200, 200), (40, 41), (3, 5) };
        var cases = shapes.Select(s => (s.Item1, s.Item2, Values: RandomMatrices.Draw(rng, s.Item1, s.Item2, false, s.Item1 * s.Item2 > 1 ? 0.05 : 0, false))).ToArray();
        var first = cases.Select(c => LinearSumAssignment.Solve(c.Values, c.Item1, c.Item2).Cols).ToArray();
        for (int round = 0; round < 3; round++)
            for (int k = cases.Length - 1; k >= 0; k--)
                Assert.Equal(first[k], LinearSumAssignment.Solve(cases[k].Values, cases[k].Item1, cases[k].Item2).Cols);
    }

    [Fact]
    public void InfeasibleCallLeavesNoStateBehind()
    {
        double inf = double.PositiveInfinity;
        var good = new double[] { 5, 1, 9, 2, 8, 3, 4, 7, 6 };
        var expected = LinearSumAssignment.Solve(good, 3, 3).Cols;
        Assert.Throws<CostMatrixException>(() => LinearSumAssignment.Solve([1, inf, inf, 1, inf, inf, 1, inf, inf], 3, 3));
        Assert.Equal(expected, LinearSumAssignment.Solve(good, 3, 3).Cols);
    }

    [Fact]
    public void TotalCostSumsTheMatchedEntries()
    {
        var a = new Assignment([0, 2], [1, 0]);
        Assert.Equal(2.5 + 7, a.TotalCost([0, 2.5, 0, 0, 7, 0], 2));
        Assert.Equal(9.5, a.TotalCost([0f, 2.5f, 0f, 0f, 7f, 0f], 2));
        Assert.Equal(2, a.Count);
    }

    [Theory]
    [InlineData(50, 50, false)]
    [InlineData(900, 20, false)]
    [InlineData(20, 300, true)]
    public void SolveAllocatesOnlyItsResult(int rows, int cols, bool maximize)
    {
        var rng = new Random(rows + cols);
        var values = RandomMatrices.Draw(rng, rows, cols, integers: false, forbiddenRate: 0, maximize: false);
        var singles = values.Select(x => (float)x).ToArray();
        for (int k = 0; k < 5; k++)
        {
            LinearSumAssignment.Solve(values, rows, cols, maximize);
            LinearSumAssignment.Solve(singles, rows, cols, maximize);
        }
        int n = Math.Min(rows, cols);
        long result = 2 * (24 + 4L * n + 8) + 64; // two int[n] and the Assignment object, with slack for alignment
        long before = GC.GetAllocatedBytesForCurrentThread();
        LinearSumAssignment.Solve(values, rows, cols, maximize);
        long doubles = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        LinearSumAssignment.Solve(singles, rows, cols, maximize);
        long floats = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(doubles, 1, result);
        Assert.InRange(floats, 1, result);
    }

    [Fact]
    public void HugeAndTinyValues()
    {
        var a = LinearSumAssignment.Solve([1e300, 1e-300, -1e300, 0], 2, 2);
        Assert.Equal(new[] { 1, 0 }, a.Cols);
    }
}
