using Xunit;

namespace DetrSharp.Assignment.Tests;

/// <summary>
/// Every vector width of the column scan (8, 4, 2 doubles and the scalar fallback) makes scipy's choices,
/// whichever one this machine would pick, including column counts that are not multiples of the width.
/// </summary>
public unsafe class LaneWidthTests
{
    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    [InlineData(2)]
    [InlineData(1)]
    public void EveryWidthMatchesPlainScipyLoop(int lanes)
    {
        var rng = new Random(lanes);
        var ws = new SolverWorkspace();
        for (int trial = 0; trial < 150; trial++)
        {
            int nr = rng.Next(1, 30), nc = nr + rng.Next(0, 25);
            bool integers = trial % 2 == 0;
            var cost = RandomMatrices.Draw(rng, nr, nc, integers, forbiddenRate: trial % 3 == 0 ? 0.2 : 0, maximize: false, maxInt: 3);
            var expected = ReferenceCrouse.Solve(cost, nr, nc);
            bool feasible;
            fixed (double* p = cost) feasible = ShortestAugmentingPath.Solve(ws, p, nr, nc, lanes);
            Assert.Equal(expected is not null, feasible);
            if (feasible) Assert.Equal(expected, new ReadOnlySpan<int>(ws.Col4Row, nr).ToArray());
        }
    }
}
