using System.CommandLine;
using System.Diagnostics;
using DetrSharp.Data.Synthetic;
using DetrSharp.Torch;
using DetrSharp.Training;
using DetrSharp.Training.Detr;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// `detrsharp train`: with no arguments, makes the synthetic shapes set, trains the default small DETR on
/// it, evaluates COCO mAP and leaves a checkpoint for `predict`. `--data` takes a COCO folder, `--config`
/// a JSON file; flags and `--set key=value` override it. A run folder holding a checkpoint is resumed.
/// </summary>
public static class TrainCommand
{
    public const string DefaultSynthRoot = "data/shapes";
    public const string DefaultRunDir = "runs/detr-shapes";

    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "COCO folder (annotations/instances_{train,val}[2017].json + images); default: the synthetic shapes set" };
        var config = new Option<string?>("--config") { Description = "JSON config file (snake_case keys, see `train --print-config`)" };
        var output = new Option<string>("--out") { Description = "Run folder: checkpoint.pth, log.jsonl, eval.json", DefaultValueFactory = _ => DefaultRunDir };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs" };
        var batch = new Option<int?>("--batch-size") { Description = "Images per step" };
        var lr = new Option<double?>("--lr") { Description = "Learning rate of the transformer and heads" };
        var lrBackbone = new Option<double?>("--lr-backbone") { Description = "Learning rate of the backbone (0 freezes it)" };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Stop after this many steps" };
        var minutes = new Option<double?>("--time-limit") { Description = "Stop after this many minutes" };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (default: one fewer than the cores, left to the data workers)" };
        var seed = new Option<long?>("--seed") { Description = "Random seed" };
        var set = new Option<string[]>("--set") { Description = "Override any config key: --set num_queries=50 --set ema=0.999", AllowMultipleArgumentsPerToken = true };
        var resume = new Option<string?>("--resume") { Description = "Continue from this checkpoint (default: the run folder's, if any)" };
        var restart = new Option<bool>("--restart") { Description = "Start over even if the run folder holds a checkpoint" };
        var printConfig = new Option<bool>("--print-config") { Description = "Print the effective config as JSON and exit" };
        var cmd = new Command("train", "Train a detector (default: a small DETR on the built-in synthetic shapes)")
        {
            data, config, output, epochs, batch, lr, lrBackbone, maxSteps, minutes, threads, seed, set, resume, restart, printConfig,
        };
        cmd.SetAction(parse =>
        {
            var cfg = parse.GetValue(config) is { } path ? TrainConfig.Load(path) : new TrainConfig();
            var overrides = new List<(string, string)>();
            void Add<T>(string key, T? v) where T : struct { if (v.HasValue) overrides.Add((key, System.Text.Json.JsonSerializer.Serialize(v.Value))); }
            if (parse.GetValue(data) is { } d) overrides.Add(("data", System.Text.Json.JsonSerializer.Serialize(d)));
            Add("epochs", parse.GetValue(epochs));
            Add("batch_size", parse.GetValue(batch));
            Add("lr", parse.GetValue(lr));
            Add("lr_backbone", parse.GetValue(lrBackbone));
            Add("max_steps", parse.GetValue(maxSteps));
            Add("time_limit_minutes", parse.GetValue(minutes));
            Add("threads", parse.GetValue(threads));
            Add("seed", parse.GetValue(seed));
            overrides.AddRange(ConfigOverrides.Parse(parse.GetValue(set) ?? Array.Empty<string>()));
            cfg = ConfigOverrides.Apply(cfg, overrides);
            if (parse.GetValue(printConfig))
            {
                Console.WriteLine(cfg.ToJson());
                return 0;
            }
            return Train(cfg, parse.GetValue(output)!, parse.GetValue(resume), parse.GetValue(restart));
        });
        return cmd;
    }

    static int Train(TrainConfig cfg, string runDir, string? resumeFrom, bool restart)
    {
        var clock = Stopwatch.StartNew();
        var observer = new ConsoleObserver();
        string root = cfg.Data ?? EnsureSynthetic(cfg, observer);
        torch.manual_seed(cfg.Seed);
        torch.set_num_threads(cfg.TrainingThreads);
        var data = TrainingData.Open(root, cfg);
        var ckptPath = Path.Combine(runDir, Checkpoint.FileName);
        if (restart && File.Exists(ckptPath)) File.Delete(ckptPath);
        resumeFrom ??= File.Exists(ckptPath) ? ckptPath : null;
        if (resumeFrom != null)
        {
            // the checkpoint's config wins (same model and schedule), except how long to run
            using var ck = Checkpoint.Load(resumeFrom);
            cfg = ck.Config with { Epochs = cfg.Epochs, MaxSteps = cfg.MaxSteps, TimeLimitMinutes = cfg.TimeLimitMinutes, Threads = cfg.Threads };
        }
        using var detector = DetrDetector.Create(cfg, data.ClassNames.Count);
        observer.Message($"data: {root} ({data.Train.Count} train / {data.Val.Count} val images, {data.ClassNames.Count} classes); " +
                         $"model: DETR {cfg.Backbone}, {detector.Module.parameters().Sum(p => p.numel()):N0} parameters; threads {torch.get_num_threads()}");
        using var trainer = new Trainer(detector, data, cfg, runDir, observer);
        if (resumeFrom != null) trainer.Resume(resumeFrom);
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var result = observer.Run(() => trainer.Run(cancel.Token));
            if (result != null) ConsoleObserver.PrintSummary(result, runDir, clock.Elapsed, trainer.Progress.Step);
        }
        finally { Console.CancelKeyPress -= onCancel; }
        return 0;
    }

    /// <summary>Writes the synthetic set once (a no-op when it is already there with the same settings).</summary>
    public static string EnsureSynthetic(TrainConfig cfg, ITrainingObserver observer)
    {
        var root = $"{DefaultSynthRoot}-{cfg.SynthSize}px-{cfg.SynthTrain}-{cfg.SynthVal}-seed{cfg.Seed}";
        var r = SyntheticShapes.Generate(root, new SyntheticShapesOptions
        {
            TrainImages = cfg.SynthTrain, ValImages = cfg.SynthVal, ImageSize = cfg.SynthSize, Seed = cfg.Seed,
        });
        if (r.Generated) observer.Message($"wrote the synthetic shapes set to {root} ({r.TrainImages} train / {r.ValImages} val images)");
        return root;
    }
}
