using System.Diagnostics;
using System.Text.Json.Nodes;
using DetrSharp.Torch;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `bench interop`: the managed cost per op call on tiny tensors — 1,000,000 adds of 2-element tensors
/// inside dispose scopes (one per 1,000 adds) — beside the same loop in C++ against the same libtorch
/// (native/build/dsh_interop_bench). Both single-threaded.
/// </summary>
public sealed class InteropBench : IBenchSuite
{
    const long Ops = 1_000_000;
    const int PerScope = 1000;

    public string Name => "interop";
    public string Description => "managed vs C++ cost of one libtorch call on tiny tensors";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        int runs = options.Runs > 0 ? options.Runs : 7;
        torch.set_num_threads(1);
        using var a = torch.ones(2);
        using var b = torch.ones(2);
        var managed = BenchTimer.Measure(() => AddLoop(a, b), options.Warmup > 0 ? options.Warmup : 1, runs);
        var m = new BenchResult { Case = "managed_add", RunsMs = managed };
        m.Extra["per_op_ns"] = Math.Round(m.MedianMs * 1e6 / Ops, 1);
        m.Extra["ops"] = Ops;

        var nativeRuns = RunNative(runs);
        var n = new BenchResult { Case = "native_add", RunsMs = nativeRuns };
        n.Extra["per_op_ns"] = Math.Round(n.MedianMs * 1e6 / Ops, 1);
        n.Extra["ops"] = Ops;
        m.Extra["overhead_ns_per_op"] = Math.Round((m.MedianMs - n.MedianMs) * 1e6 / Ops, 1);
        torch.set_num_threads(Environment.ProcessorCount);
        return new[] { m, n };
    }

    static void AddLoop(Tensor a, Tensor b)
    {
        for (long done = 0; done < Ops; done += PerScope)
        {
            using var scope = torch.NewDisposeScope();
            for (int i = 0; i < PerScope; i++) _ = a + b;
        }
    }

    static List<double> RunNative(int runs)
    {
        var exe = FindNativeBench();
        var psi = new ProcessStartInfo(exe, $"{Ops} {runs}") { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        var line = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} exited with {p.ExitCode}");
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Skip(1).Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    static string FindNativeBench()
    {
        var lib = Environment.GetEnvironmentVariable("DETRSHARP_NATIVE_LIB");
        if (!string.IsNullOrEmpty(lib) && File.Exists(Path.Combine(Path.GetDirectoryName(lib)!, "dsh_interop_bench")))
            return Path.Combine(Path.GetDirectoryName(lib)!, "dsh_interop_bench");
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null)
        {
            var candidate = Path.Combine(dir.FullName, "native", "build", "dsh_interop_bench");
            if (File.Exists(candidate)) return candidate;
            dir = dir.Parent;
        }
        throw new FileNotFoundException("native/build/dsh_interop_bench not found: run ./scripts/bootstrap.sh");
    }
}
