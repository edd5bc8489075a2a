namespace DetrSharp.Cli.Bench;

/// <summary>Options every suite sees: how many timed runs to take (0 = the suite's default), threads, and the device
/// for suites that run models ("cpu", "cuda", "cuda:N").</summary>
/// <param name="Precision">runtime.precision for the model cases (fp32, bf16, fp16 on CUDA, auto)</param>
public sealed record BenchOptions(int Runs, int Warmup, int Threads, string Device = "cpu", string Precision = "fp32")
{
    /// <summary>The precision the model cases run in on <see cref="Device"/>.</summary>
    public Training.RunPrecision ResolvePrecision() => Training.RunPrecision.Resolve(Precision, Torch.Device.Parse(Device));
}

/// <summary>A named group of benchmark cases, run by `detrsharp bench NAME`.</summary>
public interface IBenchSuite
{
    string Name { get; }
    string Description { get; }
    IEnumerable<BenchResult> Run(BenchOptions options);
}
