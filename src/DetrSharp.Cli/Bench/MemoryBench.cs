using System.Diagnostics;
using DetrSharp.Torch;
using static DetrSharp.Torch.nn;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `bench memory`: 10,000 steps of a small MLP training loop (forward, MSE loss, backward, AdamW),
/// each step in a dispose scope; reports resident memory at step 1,000 and step 10,000 (which should be
/// equal: nothing may accumulate per step).
/// </summary>
public sealed class MemoryBench : IBenchSuite
{
    public string Name => "memory";
    public string Description => "resident memory over 10,000 MLP training steps";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        int steps = options.Runs > 0 ? options.Runs : 10_000;
        torch.manual_seed(0);
        using var model = new MemoryMlp();
        using var opt = new optim.AdamW(model.parameters(), lr: 1e-3);
        using var x = torch.randn(64, 16);
        using var y = (x.sum(1, keepdim: true) * 0.1).sin();
        var times = new List<double>(steps);
        double rssStart = RssMb(), rss1000 = double.NaN, rssEnd = double.NaN;
        double firstLoss = double.NaN, lastLoss = double.NaN;
        long live1000 = 0;
        double heap1000 = 0;
        for (int step = 1; step <= steps; step++)
        {
            long t0 = Stopwatch.GetTimestamp();
            using (torch.NewDisposeScope())
            {
                opt.zero_grad();
                var loss = functional.mse_loss(model.forward(x), y);
                loss.backward();
                opt.step();
                if (step == 1) firstLoss = loss.item<float>();
                if (step == steps) lastLoss = loss.item<float>();
            }
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            if (step == Math.Min(1000, steps)) { rss1000 = RssMb(); live1000 = Tensor.LiveHandles; heap1000 = ManagedMb(); }
        }
        rssEnd = RssMb();
        var r = new BenchResult { Case = "mlp_adamw_10000_steps", RunsMs = times };
        r.Extra["steps"] = steps;
        r.Extra["rss_mb_at_start"] = Math.Round(rssStart, 1);
        r.Extra["rss_mb_at_1000"] = Math.Round(rss1000, 1);
        r.Extra["rss_mb_at_10000"] = Math.Round(rssEnd, 1);
        r.Extra["growth_percent"] = Math.Round(100 * (rssEnd - rss1000) / rss1000, 2);
        r.Extra["managed_heap_mb_at_1000"] = Math.Round(heap1000, 1);
        r.Extra["managed_heap_mb_at_end"] = Math.Round(ManagedMb(), 1);
        r.Extra["gen0_collections"] = GC.CollectionCount(0);
        r.Extra["live_tensors_at_1000"] = live1000;
        r.Extra["live_tensors_at_end"] = Tensor.LiveHandles;
        r.Extra["first_loss"] = Math.Round(firstLoss, 6);
        r.Extra["last_loss"] = Math.Round(lastLoss, 6);
        return new[] { r };
    }

    /// <summary>The GC's committed heap (managed memory inside the resident set).</summary>
    static double ManagedMb() => GC.GetTotalMemory(false) / (1024.0 * 1024.0);

    /// <summary>Resident set size from /proc/self/statm (falls back to the process's working set).</summary>
    static double RssMb()
    {
        try
        {
            var parts = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(parts[1]) * Environment.SystemPageSize / (1024.0 * 1024.0);
        }
        catch (IOException)
        {
            using var p = Process.GetCurrentProcess();
            return p.WorkingSet64 / (1024.0 * 1024.0);
        }
    }

    sealed class MemoryMlp : Module<Tensor, Tensor>
    {
        readonly DetrSharp.Torch.Modules.Linear _fc1, _fc2, _fc3;

        public MemoryMlp() : base(nameof(MemoryMlp))
        {
            _fc1 = register_module("fc1", nn.Linear(16, 64));
            _fc2 = register_module("fc2", nn.Linear(64, 64));
            _fc3 = register_module("fc3", nn.Linear(64, 1));
        }

        // [batch, 16] -> [batch, 1]
        public override Tensor forward(Tensor input) => _fc3.forward(_fc2.forward(_fc1.forward(input).relu()).relu());
    }
}
