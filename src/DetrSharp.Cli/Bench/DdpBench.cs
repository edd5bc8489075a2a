using System.Diagnostics;
using DetrSharp.Cli.Commands;
using DetrSharp.Data.Synthetic;
using DetrSharp.Detection.Families;
using DetrSharp.Torch;
using DetrSharp.Torch.Distributed;
using DetrSharp.Training;
using DetrSharp.Training.Distributed;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `detrsharp bench ddp`: the default DETR trained data-parallel by 2 ranks (c10d Gloo over loopback; the ranks are
/// two threads of this process, one libtorch thread each, with their own model, loader share and process group),
/// on the synthetic shapes at the default batch size per rank. Reports rank 0's step time, the gradient all-reduce
/// time (<see cref="GradientAverager"/>: from the first bucket's launch, during backward, to the last one's
/// completion) and the part of it backward did not hide: the wait after backward ended. As `train` does by default
/// (runtime.sync_batchnorm auto), each rank's BatchNorm stays local; with SyncBatchNorm (true) its all-reduces block
/// the step. The non-overlapped communication share is (gradient wait + SyncBatchNorm's) / step time. Cases: DDP's
/// 25 MiB bucket cap, 4 MiB, and 25 MiB with SyncBatchNorm.
/// </summary>
public sealed class DdpBench : IBenchSuite
{
    const int WorldSize = 2;

    public string Name => "ddp";
    public string Description => "2 ranks (c10d Gloo, loopback) training the default DETR: step time, gradient all-reduce time and the share of the step it does not overlap";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        int runs = options.Runs > 0 ? options.Runs : 5;
        int warmup = options.Warmup > 0 ? options.Warmup : 1;
        torch.set_num_threads(options.Threads > 0 ? options.Threads : 1);
        var root = Path.Combine(Path.GetTempPath(), "detrsharp-bench-ddp-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var cfg = new RunConfig { Data = new DataConfig { Path = root }, Runtime = new RuntimeConfig { Device = options.Device, Workers = 1 } }.Validate();
            int steps = warmup + runs;
            SyntheticShapes.Generate(root, new SyntheticShapesOptions
            {
                TrainImages = WorldSize * cfg.Data.BatchSize * steps, ValImages = 1, ImageSize = cfg.Data.SynthSize, Seed = 42,
            });
            // DDP's default bucket cap, a smaller one that starts more of the all-reduce during backward, and the default
            // without SyncBatchNorm (each rank its own batch statistics: the gradients' communication alone)
            foreach (var (mb, sync) in new[] { (cfg.Runtime.DdpBucketMb, "auto"), (4.0, "auto"), (cfg.Runtime.DdpBucketMb, "true") })
                yield return Measure(cfg with { Runtime = cfg.Runtime with { DdpBucketMb = mb, SyncBatchnorm = sync } }, root, warmup, runs);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    static BenchResult Measure(RunConfig cfg, string root, int warmup, int runs)
    {
        int port = WorkerLauncher.FreePort();
        var contexts = new DistributedContext?[WorldSize];
        var detectors = new IDetector[WorldSize];
        var data = new TrainingData[WorldSize];
        for (int r = 0; r < WorldSize; r++)
        {
            int rank = r;
            var settings = new DistributedSettings(r, WorldSize, r, "127.0.0.1", port);
            data[r] = TrainingData.Open(root, cfg, settings);
            torch.manual_seed(42);
            detectors[r] = DetectorFactory.Build(cfg, data[r].ClassNames.Count, reduceNumBoxes: v => contexts[rank]!.ReduceNumBoxes(v));
        }
        try
        {
            var ranks = Enumerable.Range(0, WorldSize).Select(r => Task.Factory.StartNew(() =>
            {
                var ctx = contexts[r] = DistributedContext.Join(new DistributedSettings(r, WorldSize, r, "127.0.0.1", port), TimeSpan.FromSeconds(cfg.Runtime.DistTimeoutSeconds));
                var module = detectors[r].Module;
                ctx.BroadcastFromMain(module.parameters().Concat(module.buffers()).ToList());
                int syncedLayers = ctx.SyncBatchNorm(module, cfg.Runtime.SyncBatchnorm); // as `train` does: auto = local BatchNorm; true = SyncBatchNorm
                using var optimizer = TrainingOptimizer.Create(detectors[r], cfg.Optim);
                var step = new TrainingStep(detectors[r], optimizer, cfg.Optim.ClipMaxNorm, ctx.Group, bucketBytes: cfg.Runtime.DdpBucketBytes);
                module.train();
                var (stepMs, commMs, exposedMs, hidden, bnMs) = (new List<double>(), new List<double>(), new List<double>(), new List<double>(), new List<double>());
                long n = 0;
                foreach (var batch in data[r].TrainLoader.Epoch(0))
                {
                    using (batch)
                    using (var onDevice = batch.To(cfg.Runtime.TorchDevice))
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        SyncBatchNorm.TakeCommunicationTime();
                        step.Run(onDevice, ++n);
                        var bn = SyncBatchNorm.TakeCommunicationTime();
                        if (n <= warmup) continue;
                        stepMs.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                        var times = step.Averager!.LastTimes;
                        commMs.Add(times.Communication.TotalMilliseconds);
                        exposedMs.Add(times.NotOverlapped.TotalMilliseconds);
                        hidden.Add(times.BucketsLaunchedDuringBackward);
                        bnMs.Add(bn.TotalMilliseconds);
                    }
                    if (n == warmup + runs) break;
                }
                return (stepMs, commMs, exposedMs, hidden, bnMs, syncedLayers, step.Averager!.BucketCount);
            }, TaskCreationOptions.LongRunning)).ToArray();
            Task.WaitAll(ranks);
            var (steps, comm, exposed, hidden, bnComm, bnLayers, buckets) = ranks[0].Result;
            long gradBytes = detectors[0].Module.parameters().Where(p => p.requires_grad).Sum(p => p.numel() * p.element_size());
            var result = new BenchResult { Case = $"ddp_detr_default_{WorldSize}ranks_b{cfg.Data.BatchSize}_{cfg.Data.SynthSize}_bucket{cfg.Runtime.DdpBucketMb:0.#}mb{(cfg.Runtime.SyncBatchnorm == "true" ? "_syncbn" : "")}", RunsMs = steps };
            result.Extra["allreduce_ms_median"] = Math.Round(BenchResult.Median(comm), 2);
            result.Extra["non_overlapped_grad_comm_ms_median"] = Math.Round(BenchResult.Median(exposed), 2);
            result.Extra["sync_batchnorm_layers"] = bnLayers;
            result.Extra["sync_batchnorm_comm_ms_median"] = Math.Round(BenchResult.Median(bnComm), 2);
            // all the communication the step waited for: the gradients' after backward, SyncBatchNorm's all of it
            result.Extra["non_overlapped_comm_share"] = Math.Round(BenchResult.Median(
                steps.Select((ms, i) => (exposed[i] + bnComm[i]) / ms).ToList()), 4);
            result.Extra["buckets_launched_during_backward"] = BenchResult.Median(hidden);
            result.Extra["gradient_mb"] = Math.Round(gradBytes / 1e6, 2);
            result.Extra["buckets"] = buckets;
            result.Extra["world_size"] = WorldSize;
            result.Extra["batch_per_rank"] = cfg.Data.BatchSize;
            result.Extra["threads_per_rank"] = torch.get_num_threads();
            result.Extra["ranks"] = "threads of one process, Gloo over 127.0.0.1";
            return result;
        }
        finally
        {
            foreach (var d in detectors) d?.Dispose();
            foreach (var c in contexts) c?.Dispose();
        }
    }
}
