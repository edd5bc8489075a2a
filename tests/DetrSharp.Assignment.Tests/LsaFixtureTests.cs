using System.Text.Json;
using DetrSharp.TestSupport;
using Xunit;

namespace DetrSharp.Assignment.Tests;

/// <summary>Every scipy reference case under tests/fixtures/lsa (and $DETRSHARP_EXTRA_FIXTURES/lsa).</summary>
public class LsaFixtureTests
{
    public static IEnumerable<object[]> Cases => Fixtures.Names("lsa", "lsa");

    [Fact]
    public void FixturesArePresent() => Assert.True(Fixtures.Load("lsa", "lsa").Count >= 70);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesScipy(string name)
    {
        var f = Fixtures.Get("lsa", name, "lsa");
        var input = FixtureTensor.Parse(f.Inputs.GetProperty("cost_matrix"));
        bool maximize = f.Params.GetProperty("maximize").GetBoolean();

        if (f.Expected.TryGetProperty("error", out var error))
        {
            ExpectError(name, error.GetString()!, () => LinearSumAssignment.Solve(ToArray(input), maximize));
            if (input.Shape.Length == 2)
            {
                int r = (int)input.Shape[0], c = (int)input.Shape[1];
                ExpectError(name, error.GetString()!, () => LinearSumAssignment.Solve(Values(input), r, c, maximize));
                ExpectError(name, error.GetString()!, () => LinearSumAssignment.Solve(input.AsFloat(), r, c, maximize));
            }
            return;
        }

        int rows = (int)input.Shape[0], cols = (int)input.Shape[1];
        var values = Values(input);
        var fromArray = LinearSumAssignment.Solve(ToArray(input), maximize);
        var fromDoubles = LinearSumAssignment.Solve(values, rows, cols, maximize);
        var fromSingles = LinearSumAssignment.Solve(input.AsFloat(), rows, cols, maximize);
        foreach (var other in new[] { fromDoubles, fromSingles })
        {
            Assert.Equal(fromArray.Rows, other.Rows);
            Assert.Equal(fromArray.Cols, other.Cols);
        }

        var result = fromArray;
        AssertValid(result, values, rows, cols, maximize);
        var expectedTotal = FixtureTensor.Parse(f.Expected.GetProperty("total_cost")).Data[0];
        Close.All(name + " total_cost", [expectedTotal], [result.TotalCost(values, cols)], f.Atol, Math.Max(f.Rtol, 1e-12));

        if (!HasTies(f))
        {
            Assert.Equal(FixtureTensor.Parse(f.Expected.GetProperty("row_ind")).AsInt(), result.Rows);
            Assert.Equal(FixtureTensor.Parse(f.Expected.GetProperty("col_ind")).AsInt(), result.Cols);
            var matched = result.Rows.Select((r, k) => values[r * cols + result.Cols[k]]).ToArray();
            Close.All(name + " matched_costs", FixtureTensor.Parse(f.Expected.GetProperty("matched_costs")).Data, matched, 0, 0);
        }
    }

    /// <summary>
    /// Stronger than the fixtures ask: the solver follows scipy's tie-break, so even where another
    /// assignment reaches the same total it returns scipy's indices.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesScipyIndicesEvenOnTies(string name)
    {
        var f = Fixtures.Get("lsa", name, "lsa");
        if (f.Expected.TryGetProperty("error", out _)) return;
        var input = FixtureTensor.Parse(f.Inputs.GetProperty("cost_matrix"));
        var result = LinearSumAssignment.Solve(ToArray(input), f.Params.GetProperty("maximize").GetBoolean());
        Assert.Equal(FixtureTensor.Parse(f.Expected.GetProperty("row_ind")).AsInt(), result.Rows);
        Assert.Equal(FixtureTensor.Parse(f.Expected.GetProperty("col_ind")).AsInt(), result.Cols);
    }

    /// <summary>
    /// The entries as scipy saw them: the fixture writes float32 values with 9 significant digits, which name
    /// the float32 exactly but not as a double, so they go through float first.
    /// </summary>
    static double[] Values(FixtureTensor t) => t.DType == "float32" ? t.AsFloat().Select(x => (double)x).ToArray() : t.Data;

    static bool HasTies(Fixture f) => f.Root.TryGetProperty("ties", out var t) && t.ValueKind == JsonValueKind.True;

    /// <summary>The fixture tensor as a .NET array of its rank and dtype (bool stays bool, floats stay float32).</summary>
    static Array ToArray(FixtureTensor t)
    {
        var lengths = t.Shape.Select(s => (int)s).ToArray();
        Array a = t.DType == "bool" ? Array.CreateInstance(typeof(bool), lengths)
            : t.DType == "float64" ? Array.CreateInstance(typeof(double), lengths)
            : Array.CreateInstance(typeof(float), lengths);
        var index = new int[lengths.Length];
        for (int k = 0; k < t.Data.Length; k++)
        {
            int rest = k;
            for (int dim = lengths.Length - 1; dim >= 0; dim--)
            {
                index[dim] = rest % lengths[dim];
                rest /= lengths[dim];
            }
            object value = t.DType switch { "bool" => t.Data[k] != 0, "float64" => t.Data[k], _ => (float)t.Data[k] };
            a.SetValue(value, index);
        }
        return a;
    }

    static void ExpectError(string name, string scipyMessage, Func<Assignment> solve)
    {
        var e = Assert.Throws<CostMatrixException>(() => solve());
        var expectedKind = scipyMessage.StartsWith("expected a matrix", StringComparison.Ordinal) ? CostMatrixError.NotAMatrix
            : scipyMessage == "matrix contains invalid numeric entries" ? CostMatrixError.InvalidEntries
            : scipyMessage == "cost matrix is infeasible" ? CostMatrixError.Infeasible
            : throw new InvalidOperationException($"{name}: unknown scipy error '{scipyMessage}'");
        Assert.Equal(expectedKind, e.Error);
        // scipy's words up to where it describes the input ("..., got a 1 array").
        Assert.StartsWith(scipyMessage.Split(", got")[0], e.Message, StringComparison.Ordinal);
    }

    internal static void AssertValid(Assignment a, double[] cost, int rows, int cols, bool maximize)
    {
        Assert.Equal(Math.Min(rows, cols), a.Count);
        for (int k = 0; k < a.Count; k++)
        {
            Assert.InRange(a.Rows[k], 0, rows - 1);
            Assert.InRange(a.Cols[k], 0, cols - 1);
            if (k > 0) Assert.True(a.Rows[k] > a.Rows[k - 1], "row indices must be strictly ascending");
            double x = cost[a.Rows[k] * cols + a.Cols[k]];
            Assert.False(double.IsInfinity(x), $"pair ({a.Rows[k]}, {a.Cols[k]}) is forbidden");
        }
        Assert.Equal(a.Count, a.Cols.Distinct().Count());
        if (rows <= cols) Assert.Equal(Enumerable.Range(0, rows), a.Rows);
    }
}
