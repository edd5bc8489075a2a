using DetrSharp.Torch;

namespace DetrSharp.Cli.Bench;

/// <summary>How the model suites (detr-step, dino, yolo's model cases) time a case and set it beside the reference.</summary>
internal static class ModelBenchTiming
{
    /// <summary>
    /// Wall times of <paramref name="runs"/> runs after <paramref name="warmup"/>, plus the process's CPU time per run: on a
    /// shared, loaded machine the CPU time shows the work done even when the wall time mostly measures waiting for a core.
    /// </summary>
    public static BenchResult Measure(string name, Action action, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++) action();
        var process = System.Diagnostics.Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var times = BenchTimer.Measure(action, 0, runs);
        process.Refresh();
        var result = new BenchResult { Case = name, RunsMs = times };
        result.Extra["cpu_ms_per_run"] = Math.Round((process.TotalProcessorTime - cpu0).TotalMilliseconds / runs, 1);
        return result;
    }

    /// <summary>The reference's median and minimum (../shared/perf/REFERENCE.md), the speed-up, and the threads used.</summary>
    public static void AddReference(BenchResult result, double referenceMs, double referenceMinMs)
    {
        result.Extra["reference_ms"] = referenceMs;
        result.Extra["reference_min_ms"] = referenceMinMs;
        result.Extra["speedup_vs_reference"] = Math.Round(referenceMs / result.MedianMs, 3);
        result.Extra["threads"] = torch.get_num_threads();
    }
}
