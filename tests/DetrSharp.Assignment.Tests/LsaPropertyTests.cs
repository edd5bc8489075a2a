using Xunit;

namespace DetrSharp.Assignment.Tests;

/// <summary>Random small matrices (up to 7x9 and 9x7, with forbidden entries) against exhaustive search.</summary>
public class LsaPropertyTests
{
    public static IEnumerable<object[]> Seeds => Enumerable.Range(0, 12).Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void OptimalAndFeasibleAsBruteForce(int seed)
    {
        var rng = new Random(1000 + seed);
        for (int trial = 0; trial < 60; trial++)
        {
            int a = rng.Next(1, 8), b = rng.Next(1, 10);
            (int rows, int cols) = rng.Next(2) == 0 ? (a, b) : (b, a);
            bool maximize = rng.Next(3) == 0;
            bool integers = rng.Next(2) == 0;
            double forbiddenRate = new[] { 0.0, 0.15, 0.35, 0.6 }[rng.Next(4)];
            var cost = RandomMatrices.Draw(rng, rows, cols, integers, forbiddenRate, maximize);
            string what = $"seed {seed} trial {trial}: {rows}x{cols} maximize={maximize} integers={integers} forbidden={forbiddenRate}";

            double? best = BruteForce.Best(cost, rows, cols, maximize);
            if (best is null)
            {
                var e = Assert.Throws<CostMatrixException>(() => LinearSumAssignment.Solve(cost, rows, cols, maximize));
                Assert.Equal(CostMatrixError.Infeasible, e.Error);
                var t = Assert.Throws<CostMatrixException>(() =>
                    LinearSumAssignment.Solve(RandomMatrices.Transpose(cost, rows, cols), cols, rows, maximize));
                Assert.Equal(CostMatrixError.Infeasible, t.Error);
                continue;
            }

            var result = LinearSumAssignment.Solve(cost, rows, cols, maximize);
            LsaFixtureTests.AssertValid(result, cost, rows, cols, maximize);
            double total = result.TotalCost(cost, cols);
            Assert.True(Math.Abs(total - best.Value) <= 1e-12 * Math.Max(1, Math.Abs(best.Value)),
                $"{what}: total {total:R}, brute force {best.Value:R}");

            // The other orientation has the same optimum.
            var transposed = RandomMatrices.Transpose(cost, rows, cols);
            var tr = LinearSumAssignment.Solve(transposed, cols, rows, maximize);
            LsaFixtureTests.AssertValid(tr, transposed, cols, rows, maximize);
            Assert.True(Math.Abs(tr.TotalCost(transposed, rows) - best.Value) <= 1e-12 * Math.Max(1, Math.Abs(best.Value)), what + " (transposed)");

            // float32 input (the values are float32-representable) gives the same indices.
            var single = LinearSumAssignment.Solve(cost.Select(x => (float)x).ToArray(), rows, cols, maximize);
            Assert.Equal(result.Rows, single.Rows);
            Assert.Equal(result.Cols, single.Cols);
        }
    }

    /// <summary>
    /// The vectorised solver makes the same choices as a plain transcription of scipy's loop, including on
    /// matrices full of ties, of sizes where the scan uses every vector width and the overlapping last vector.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void SameIndicesAsPlainScipyLoop(int seed)
    {
        var rng = new Random(5000 + seed);
        for (int trial = 0; trial < 40; trial++)
        {
            int nr = rng.Next(1, 40), nc = nr + rng.Next(0, 30);
            bool integers = rng.Next(3) != 0;
            double forbiddenRate = new[] { 0.0, 0.1, 0.3 }[rng.Next(3)];
            var cost = RandomMatrices.Draw(rng, nr, nc, integers, forbiddenRate, maximize: false, maxInt: rng.Next(1, 6));
            var expected = ReferenceCrouse.Solve(cost, nr, nc);
            if (expected is null)
            {
                Assert.Throws<CostMatrixException>(() => LinearSumAssignment.Solve(cost, nr, nc));
                continue;
            }
            var result = LinearSumAssignment.Solve(cost, nr, nc);
            Assert.Equal(expected, result.Cols);

            // Tall: scipy solves the transpose and sorts by row (a square matrix is never transposed).
            if (nc == nr) continue;
            var tall = RandomMatrices.Transpose(cost, nr, nc);
            var t = LinearSumAssignment.Solve(tall, nc, nr);
            var pairs = expected.Select((c, r) => (Row: c, Col: r)).OrderBy(p => p.Row).ToArray();
            Assert.Equal(pairs.Select(p => p.Row), t.Rows);
            Assert.Equal(pairs.Select(p => p.Col), t.Cols);
        }
    }

    [Fact]
    public void LargerRandomMatricesAgreeWithPlainScipyLoop()
    {
        var rng = new Random(77);
        foreach (var (nr, nc) in new[] { (100, 100), (50, 300), (120, 130), (64, 64), (33, 257) })
        {
            var cost = RandomMatrices.Draw(rng, nr, nc, integers: false, forbiddenRate: 0, maximize: false);
            Assert.Equal(ReferenceCrouse.Solve(cost, nr, nc), LinearSumAssignment.Solve(cost, nr, nc).Cols);
            var ties = RandomMatrices.Draw(rng, nr, nc, integers: true, forbiddenRate: 0.05, maximize: false, maxInt: 3);
            Assert.Equal(ReferenceCrouse.Solve(ties, nr, nc), LinearSumAssignment.Solve(ties, nr, nc).Cols);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 4)]
    [InlineData(5, 9)]
    [InlineData(9, 5)]
    [InlineData(17, 17)]
    public void ConstantMatrixGivesIdentity(int rows, int cols)
    {
        var cost = Enumerable.Repeat(3.0, rows * cols).ToArray();
        var a = LinearSumAssignment.Solve(cost, rows, cols);
        int n = Math.Min(rows, cols);
        Assert.Equal(Enumerable.Range(0, n), a.Rows);
        Assert.Equal(Enumerable.Range(0, n), a.Cols);
    }
}
