namespace DetrSharp.Cli.Bench;

/// <summary>Options every suite sees: how many timed runs to take (0 = the suite's default).</summary>
public sealed record BenchOptions(int Runs, int Warmup, int Threads);

/// <summary>A named group of benchmark cases, run by `detrsharp bench NAME`.</summary>
public interface IBenchSuite
{
    string Name { get; }
    string Description { get; }
    IEnumerable<BenchResult> Run(BenchOptions options);
}
