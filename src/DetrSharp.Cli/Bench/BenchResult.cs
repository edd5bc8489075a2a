using System.Text.Json.Nodes;

namespace DetrSharp.Cli.Bench;

/// <summary>One benchmark case: its timed runs in milliseconds plus any extra figures.</summary>
public sealed class BenchResult
{
    public required string Case { get; init; }
    public required IReadOnlyList<double> RunsMs { get; init; }
    public Dictionary<string, JsonNode?> Extra { get; } = new();

    public double MedianMs => Median(RunsMs);
    public double MinMs => RunsMs.Count == 0 ? double.NaN : RunsMs.Min();
    public double MaxMs => RunsMs.Count == 0 ? double.NaN : RunsMs.Max();

    public static double Median(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return double.NaN;
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    /// <summary>{"case", "median_ms", "min_ms", "max_ms", "runs", extras...} as the issues specify.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["case"] = Case,
            ["median_ms"] = Round(MedianMs),
            ["min_ms"] = Round(MinMs),
            ["max_ms"] = Round(MaxMs),
            ["runs"] = RunsMs.Count,
        };
        foreach (var (k, v) in Extra) o[k] = v?.DeepClone();
        return o;
    }

    static double Round(double x) => Math.Round(x, 6);
}
