using System.Diagnostics;
using DetrSharp.Detection.Families;
using DetrSharp.Torch;
using DetrSharp.Training;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `detrsharp bench channels-last [--precision fp32|bf16]`: each family's default model (DETR: ResNet-18 to layer3,
/// batch 8; DINO: its CPU defaults, batch 8; YOLOv8n and YOLOv10n: batch 16) at the default run's 128×128, one training
/// step (the trainer's TrainingStep and optimizer) built NCHW and built channels_last (runtime.channels_last false /
/// true, the same seed and batch), the two stepped in turn, so both see the same load on a shared machine. Wall and
/// process CPU time per step; the channels_last case adds its median CPU time over NCHW's: what auto's rule
/// (<see cref="ChannelsLastChoice.FasterOnCpu"/>) is read from.
/// </summary>
public sealed class ChannelsLastBench : IBenchSuite
{
    const int Size = 128, TargetsPerImage = 4, Classes = 5;

    public string Name => "channels-last";
    public string Description => "each family's default training step (128x128) built NCHW and channels_last, stepped in turn";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        int runs = options.Runs > 0 ? options.Runs : 5;
        int warmup = options.Warmup > 0 ? options.Warmup : 1;
        foreach (var family in new[] { "detr", "yolov8", "yolov10", "dino" })
            foreach (var r in Pair(family, options, runs, warmup)) yield return r;
    }

    static IEnumerable<BenchResult> Pair(string family, BenchOptions options, int runs, int warmup)
    {
        var run = RunConfig.ForModel(family);
        run = run with { Runtime = run.Runtime with { Device = options.Device, Precision = options.Precision, ChannelsLast = "false" } };
        var precision = run.Runtime.ResolvePrecision();
        int batchSize = run.Data.BatchSize;
        var steppers = new Stepper[2];
        try
        {
            for (int v = 0; v < 2; v++)
            {
                var cfg = run with { Runtime = run.Runtime with { ChannelsLast = v == 1 ? "true" : "false" } };
                torch.manual_seed(128);
                steppers[v] = new Stepper(DetectorFactory.Build(cfg, Classes), cfg, precision, batchSize);
            }
            for (int i = 0; i < warmup; i++) foreach (var s in steppers) s.Step(timed: false);
            for (int i = 0; i < runs; i++) foreach (var s in steppers) s.Step(timed: true);
            var name = $"{family}_train_step_b{batchSize}_{Size}_{precision.Name}";
            var nchw = steppers[0].Result(name, family, precision, channelsLast: false);
            var cl = steppers[1].Result(name + "_channels_last", family, precision, channelsLast: true);
            cl.Extra["cpu_vs_nchw"] = Math.Round(BenchResult.Median(steppers[1].CpuMs) / BenchResult.Median(steppers[0].CpuMs), 3);
            cl.Extra["wall_vs_nchw"] = Math.Round(cl.MedianMs / nchw.MedianMs, 3);
            return [nchw, cl];
        }
        finally
        {
            foreach (var s in steppers) s?.Dispose();
        }
    }

    /// <summary>One detector with its optimizer, step and synthetic batch; its wall and CPU time per timed step.</summary>
    sealed class Stepper : IDisposable
    {
        readonly IDetector _detector;
        readonly optim.Optimizer _optimizer;
        readonly TrainingStep _step;
        readonly DetectionBatch _batch;
        readonly Process _process = Process.GetCurrentProcess();
        long _n;
        double _loss = double.NaN;
        public List<double> WallMs { get; } = [];
        public List<double> CpuMs { get; } = [];

        public Stepper(IDetector detector, RunConfig run, RunPrecision precision, int batchSize)
        {
            _detector = detector;
            _optimizer = TrainingOptimizer.Create(detector, run.Optim);
            _step = new TrainingStep(detector, _optimizer, run.Optim.ClipMaxNorm, precision: precision);
            using var host = SyntheticBatch(batchSize);
            _batch = host.To(precision.Device);
            detector.Module.train();
        }

        public void Step(bool timed)
        {
            _process.Refresh();
            var cpu0 = _process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            _loss = _step.Run(_batch, ++_n)["loss"];
            wall.Stop();
            _process.Refresh();
            if (!timed) return;
            WallMs.Add(wall.Elapsed.TotalMilliseconds);
            CpuMs.Add((_process.TotalProcessorTime - cpu0).TotalMilliseconds);
        }

        public BenchResult Result(string name, string family, RunPrecision precision, bool channelsLast)
        {
            var r = new BenchResult { Case = name, RunsMs = WallMs };
            r.Extra["family"] = family;
            r.Extra["precision"] = precision.Name;
            r.Extra["channels_last"] = channelsLast;
            r.Extra["cpu_ms_median"] = Math.Round(BenchResult.Median(CpuMs), 1);
            r.Extra["cpu_ms_min"] = Math.Round(CpuMs.Min(), 1);
            r.Extra["cpu_ms_max"] = Math.Round(CpuMs.Max(), 1);
            r.Extra["loss"] = Math.Round(_loss, 4);
            r.Extra["threads"] = torch.get_num_threads();
            return r;
        }

        public void Dispose()
        {
            _batch.Dispose();
            _optimizer.Dispose();
            _detector.Dispose();
        }
    }

    // images as the loader gives them (normalised, unpadded at 128²), a few boxes per image; labels 1..Classes-1
    static DetectionBatch SyntheticBatch(int batchSize)
    {
        using var gen = new Generator(seed: Size);
        using var scope = torch.NewDisposeScope();
        var targets = new DetectionTarget[batchSize];
        for (int b = 0; b < batchSize; b++)
        {
            var labels = torch.randint(1, Classes, [TargetsPerImage], ScalarType.Int64, generator: gen);  // [T]
            var centre = torch.rand([TargetsPerImage, 2], generator: gen).mul(0.6).add(0.2);              // [T, 2]
            var size = torch.rand([TargetsPerImage, 2], generator: gen).mul(0.3).add(0.1);                // [T, 2]
            targets[b] = new DetectionTarget(labels.DetachFromDisposeScope(), torch.cat([centre, size], 1).DetachFromDisposeScope()) // [T, 4] cxcywh
            {
                Size = (Size, Size), OriginalSize = (Size, Size),
            };
        }
        return new DetectionBatch
        {
            Samples = new NestedTensor(torch.randn([batchSize, 3, Size, Size], generator: gen).DetachFromDisposeScope(),  // [B, 3, H, W]
                torch.zeros([batchSize, Size, Size], ScalarType.Bool).DetachFromDisposeScope()),                        // [B, H, W]
            Targets = targets,
        };
    }
}
