namespace DetrSharp.Cli.Bench;

/// <summary>Options every suite sees: how many timed runs to take (0 = the suite's default), threads, and the device
/// for suites that run models ("cpu", "cuda", "cuda:N").</summary>
public sealed record BenchOptions(int Runs, int Warmup, int Threads, string Device = "cpu");

/// <summary>A named group of benchmark cases, run by `detrsharp bench NAME`.</summary>
public interface IBenchSuite
{
    string Name { get; }
    string Description { get; }
    IEnumerable<BenchResult> Run(BenchOptions options);
}
