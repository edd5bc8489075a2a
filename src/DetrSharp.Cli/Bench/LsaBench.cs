using System.Text.Json.Nodes;
using DetrSharp.Assignment;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `detrsharp bench lsa`: linear sum assignment on random uniform [0, 1) float64 matrices, one thread,
/// against scipy 1.10.1's medians (../shared/perf/REFERENCE.md); and 8 per-image 900x50 matrices solved
/// batched (width = core count, or --threads) against the same 8 solved one after another.
/// Each case is warmed up for at least 300 ms first (the JIT re-optimises hot methods after a delay).
/// </summary>
public sealed class LsaBench : IBenchSuite
{
    /// <summary>scipy's median ms per matrix shape, single thread (REFERENCE.md).</summary>
    static readonly (int Rows, int Cols, double ScipyMs)[] Sizes =
    [
        (100, 10, 0.007), (100, 100, 0.261), (300, 20, 0.032), (900, 50, 0.221),
        (900, 300, 1.965), (1000, 1000, 55.5), (2000, 2000, 344.0),
    ];

    const int BatchCount = 8, BatchRows = 900, BatchCols = 50;

    /// <inheritdoc/>
    public string Name => "lsa";

    /// <inheritdoc/>
    public string Description => "Linear sum assignment (scipy semantics) vs scipy 1.10.1; batched per-image solve vs sequential";

    /// <inheritdoc/>
    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        int runs = options.Runs > 0 ? options.Runs : 21;
        foreach (var (rows, cols, scipyMs) in Sizes)
        {
            var cost = Uniform(new Random(rows * 7919 + cols), rows, cols);
            long work = (long)rows * cols;
            int warmup = options.Warmup > 0 ? options.Warmup : work >= 1_000_000 ? 2 : work >= 100_000 ? 5 : 50;
            int sizeRuns = work <= 100_000 && options.Runs == 0 ? 101 : runs;
            void Solve() => LinearSumAssignment.Solve(cost, rows, cols);
            WarmUp(Solve, warmup);
            var cpu0 = Environment.CpuUsage.TotalTime;
            var times = BenchTimer.Measure(Solve, 0, sizeRuns);
            var cpu = Environment.CpuUsage.TotalTime - cpu0;
            var r = new BenchResult { Case = $"solve_{rows}x{cols}", RunsMs = times };
            AddScipy(r, scipyMs);
            // The machines are shared: for the long cases, this process's CPU time per run shows how much of the
            // wall time was spent running (too coarse, and too mixed with background threads, for the short ones).
            if (r.MedianMs >= 1) r.Extra["process_cpu_ms_mean"] = Math.Round(cpu.TotalMilliseconds / sizeRuns, 3);
            yield return r;
        }

        foreach (var r in BatchVersusSequential(options, runs)) yield return r;
    }

    /// <summary>
    /// The two batch cases, timed in alternating blocks of <see cref="BlockRuns"/> back-to-back runs, so that both see
    /// the same machine load while each runs as it would in a loop.
    /// </summary>
    static IEnumerable<BenchResult> BatchVersusSequential(BenchOptions options, int runs)
    {
        var rng = new Random(2024);
        var matrices = Enumerable.Range(0, BatchCount)
            .Select(_ => new CostMatrix(Uniform(rng, BatchRows, BatchCols), BatchRows, BatchCols))
            .ToArray();
        int width = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        void Sequential()
        {
            foreach (var m in matrices) m.Solve();
        }
        void Batched() => LinearSumAssignment.SolveBatch(matrices, maximize: false, width);

        int batchRuns = Math.Max(runs, 100);
        int warmup = options.Warmup > 0 ? options.Warmup : 20;
        WarmUp(() =>
        {
            Sequential();
            Batched();
        }, warmup);
        double spinBefore = SpinSpeedup(width);
        var seq = new List<double>(batchRuns);
        var bat = new List<double>(batchRuns);
        while (seq.Count < batchRuns)
        {
            seq.AddRange(BenchTimer.Measure(Sequential, 1, BlockRuns));
            bat.AddRange(BenchTimer.Measure(Batched, 1, BlockRuns));
        }
        double spinAfter = SpinSpeedup(width);

        double scipyMs = BatchCount * Sizes.First(s => s.Rows == BatchRows && s.Cols == BatchCols).ScipyMs;
        var sequential = new BenchResult { Case = $"sequential_{BatchCount}x{BatchRows}x{BatchCols}", RunsMs = seq };
        AddScipy(sequential, scipyMs);
        sequential.Extra["scipy_basis"] = $"{BatchCount} x scipy {BatchRows}x{BatchCols}";
        var batched = new BenchResult { Case = $"batched_{BatchCount}x{BatchRows}x{BatchCols}", RunsMs = bat };
        AddScipy(batched, scipyMs);
        batched.Extra["scipy_basis"] = $"{BatchCount} x scipy {BatchRows}x{BatchCols}";
        batched.Extra["width"] = width;
        batched.Extra["sequential_ms"] = Math.Round(sequential.MedianMs, 6);
        batched.Extra["speedup_vs_sequential"] = Math.Round(sequential.MedianMs / batched.MedianMs, 3);
        // A control for shared machines: the speedup a plain arithmetic loop got from the same number of
        // threads just before and after, i.e. how much parallel capacity the machine actually gave.
        batched.Extra["control_spin_speedup"] = Math.Round(Math.Min(spinBefore, spinAfter), 3);
        return [sequential, batched];
    }

    const int BlockRuns = 10;

    /// <summary>Time of <paramref name="width"/> copies of a 20 ms arithmetic loop run one after another, over the time run in parallel.</summary>
    static double SpinSpeedup(int width)
    {
        const long Steps = 4_000_000;
        static double Spin()
        {
            double x = 1;
            for (long i = 0; i < Steps; i++) x = x * 1.0000001 + 1e-9;
            return x;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int t = 0; t < width; t++) Spin();
        double serial = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var threads = Enumerable.Range(0, width).Select(_ => new Thread(() => Spin())).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        return serial / clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// Runs <paramref name="action"/> <paramref name="runs"/> times and for at least <see cref="WarmUpMs"/> ms, so that
    /// the JIT's tiered compilation (which re-optimises a method after a delay) is done before timing starts.
    /// </summary>
    static void WarmUp(Action action, int runs)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int k = 0; k < runs || clock.ElapsedMilliseconds < WarmUpMs; k++) action();
    }

    const int WarmUpMs = 300;

    static void AddScipy(BenchResult r, double scipyMs)
    {
        r.Extra["scipy_ms"] = scipyMs;
        r.Extra["speedup_vs_scipy"] = Math.Round(scipyMs / r.MedianMs, 3);
    }

    static double[] Uniform(Random rng, int rows, int cols)
    {
        var m = new double[rows * cols];
        for (int k = 0; k < m.Length; k++) m[k] = rng.NextDouble();
        return m;
    }
}
