using Xunit;

namespace DetrSharp.Assignment.Tests;

/// <summary>The batched solve equals solving each matrix in turn.</summary>
public class LsaBatchTests
{
    static List<CostMatrix> Batch(int seed, int count)
    {
        var rng = new Random(seed);
        var list = new List<CostMatrix>();
        for (int k = 0; k < count; k++)
        {
            int rows = rng.Next(0, 120), cols = rng.Next(0, 40);
            var values = RandomMatrices.Draw(rng, rows, cols, integers: rng.Next(2) == 0, forbiddenRate: 0, maximize: false);
            list.Add(rng.Next(2) == 0
                ? new CostMatrix(values, rows, cols)
                : new CostMatrix(values.Select(x => (float)x).ToArray(), rows, cols));
        }
        return list;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(64)]
    public void BatchEqualsSequential(int width)
    {
        foreach (bool maximize in new[] { false, true })
        {
            var matrices = Batch(42 + width, 37);
            var batched = LinearSumAssignment.SolveBatch(matrices, maximize, width);
            Assert.Equal(matrices.Count, batched.Length);
            for (int k = 0; k < matrices.Count; k++)
            {
                var single = matrices[k].Solve(maximize);
                Assert.Equal(single.Rows, batched[k].Rows);
                Assert.Equal(single.Cols, batched[k].Cols);
            }
        }
    }

    [Fact]
    public void EmptyBatch() => Assert.Empty(LinearSumAssignment.SolveBatch([], maximize: false, maxDegreeOfParallelism: 2));

    [Fact]
    public void ManyBatchesFromManyThreads()
    {
        var matrices = Batch(9, 16);
        var expected = matrices.Select(m => m.Solve()).ToArray();
        Parallel.For(0, 24, _ =>
        {
            var got = LinearSumAssignment.SolveBatch(matrices, maxDegreeOfParallelism: 2);
            for (int k = 0; k < got.Length; k++) Assert.Equal(expected[k].Cols, got[k].Cols);
        });
    }

    [Fact]
    public void ErrorNamesTheFirstRefusedMatrix()
    {
        var matrices = Batch(3, 10);
        matrices[6] = new CostMatrix(new double[] { 1, double.NaN, 2, 3 }, 2, 2);
        matrices[8] = new CostMatrix(new double[] { double.PositiveInfinity, double.PositiveInfinity, 2, 3 }, 2, 2);
        foreach (int width in new[] { 1, 4 })
        {
            var e = Assert.Throws<CostMatrixException>(() => LinearSumAssignment.SolveBatch(matrices, maxDegreeOfParallelism: width));
            Assert.Equal(CostMatrixError.InvalidEntries, e.Error);
            Assert.StartsWith("matrices[6]: matrix contains invalid numeric entries", e.Message);
            Assert.Equal("matrices", e.ParamName);
        }
        matrices[6] = new CostMatrix(new double[] { 1, 2, 2, 3 }, 2, 2);
        var infeasible = Assert.Throws<CostMatrixException>(() => LinearSumAssignment.SolveBatch(matrices));
        Assert.Equal(CostMatrixError.Infeasible, infeasible.Error);
        Assert.StartsWith("matrices[8]: cost matrix is infeasible", infeasible.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void WidthMustBePositiveOrMinusOne(int width) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearSumAssignment.SolveBatch(Batch(1, 2), maxDegreeOfParallelism: width));
}
