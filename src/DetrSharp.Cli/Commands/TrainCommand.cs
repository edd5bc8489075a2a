using System.CommandLine;
using System.Diagnostics;
using DetrSharp.Data.Synthetic;
using DetrSharp.Torch;
using DetrSharp.Training;
using System.Text.Json;
using DetrSharp.Detection.Families;
using DetrSharp.Detection.Configuration;
using DetrSharp.Training.Distributed;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// `detrsharp train`: with no arguments, makes the synthetic shapes set, trains the default small DETR on
/// it, evaluates COCO mAP and leaves a checkpoint for `predict`. `--model` picks the family, `--data` takes a COCO
/// folder, `--config` a JSON file; flags and `--set section.key=value` override it. A run folder holding a
/// checkpoint is resumed.
/// </summary>
public static class TrainCommand
{
    public const string DefaultSynthRoot = "data/shapes";
    /// <summary>The family `train` trains when neither --model, --config nor --set model.name names one: the one that
    /// learns most on a CPU in a first run's minutes (README, Training on the synthetic set).</summary>
    public const string DefaultModel = "yolov10";
    public const string DefaultRunDir = "runs/" + DefaultModel + "-shapes";

    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = $"Detector family: {string.Join(", ", DetectorRegistry.Names)} (config model.name)" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (config runtime.device)" };
        var data = new Option<string?>("--data") { Description = "COCO folder (annotations/instances_{train,val}[2017].json + images), YOLO data.yaml, or a folder holding data.yaml; default: the synthetic shapes set" };
        var config = new Option<string?>("--config") { Description = "JSON config file with the sections model, data, optim, schedule, eval, runtime (see --print-config)" };
        var output = new Option<string?>("--out") { Description = "Run folder: checkpoint.pth, log.jsonl, config.json, eval.json (default: runs/MODEL-shapes)" };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs (schedule.epochs)" };
        var batch = new Option<int?>("--batch-size") { Description = "Images per step (data.batch_size)" };
        var lr = new Option<double?>("--lr") { Description = "Learning rate (optim.lr)" };
        var lrBackbone = new Option<double?>("--lr-backbone") { Description = "Learning rate of the backbone, 0 freezes it (optim.lr_backbone)" };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Stop after this many steps (schedule.max_steps)" };
        var minutes = new Option<double?>("--time-limit") { Description = "Stop after this many minutes (schedule.time_limit_minutes)" };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (runtime.threads; default: one fewer than the cores)" };
        var seed = new Option<long?>("--seed") { Description = "Random seed (runtime.seed)" };
        var set = new Option<string[]>("--set") { Description = "Override any setting: --set model.num_queries=50 --set optim.ema=0.999", AllowMultipleArgumentsPerToken = true };
        var resume = new Option<string?>("--resume") { Description = "Continue from this checkpoint (default: the run folder's, if any)" };
        var restart = new Option<bool>("--restart") { Description = "Start over even if the run folder holds a checkpoint" };
        var printConfig = new Option<bool>("--print-config") { Description = "Print the effective config as JSON and exit" };
        var nproc = new Option<int?>("--nproc") { Description = "Train data-parallel in N local worker processes (c10d Gloo; data.batch_size is per worker). Under torchrun, leave it out: its WORLD_SIZE, RANK, MASTER_ADDR and MASTER_PORT are used" };
        var weights = new Option<string?>("--weights")
        {
            Description = "Start from these weights (model.init_from): a DetrSharp checkpoint, an official DETR/DINO .pth, an ultralytics .pt, " +
                          "or a torchvision ResNet state dict (backbone only); class heads of another class count are re-initialised",
        };
        var freeze = new Option<string?>("--freeze") { Description = "Do not train these parameters (model.freeze): backbone, or N leading modules (YOLO: model.0..N-1; DETR/DINO: ResNet stem + N-1 stages)" };
        var cmd = new Command("train", HelpText.WithExamples("Train a detector (default: YOLOv10n with its recipe on the built-in synthetic shapes, 15 minutes; --model detr or dino for the others)",
            "detrsharp train --time-limit 2 --out runs/try", "detrsharp train --model yolov8 --data /path/to/coco --out runs/mine --epochs 50",
            "detrsharp train --config my.json --set model.num_queries=50 --print-config",
            "detrsharp train --model yolov8 --data my/data.yaml --weights yolov8n.pt --freeze 10"))
        {
            model, device, data, config, output, epochs, batch, lr, lrBackbone, maxSteps, minutes, threads, seed, set, resume, restart, printConfig,
            weights, freeze, nproc,
        };
        cmd.SetAction(parse =>
        {
            var fromFile = parse.GetValue(config) is { } path ? RunConfig.Load(path) : null;
            var overrides = new List<(string, string)>();
            // the config's options write NaN and infinities as the words the config checks then name
            void Add<T>(string key, T? v) where T : struct { if (v.HasValue) overrides.Add((key, JsonSerializer.Serialize(v.Value, ConfigJson.Options))); }
            void AddText(string key, string? v) { if (v != null) overrides.Add((key, JsonSerializer.Serialize(v))); }
            AddText("model.name", parse.GetValue(model));
            AddText("runtime.device", parse.GetValue(device));
            AddText("data.path", parse.GetValue(data));
            Add("schedule.epochs", parse.GetValue(epochs));
            Add("data.batch_size", parse.GetValue(batch));
            Add("optim.lr", parse.GetValue(lr));
            Add("optim.lr_backbone", parse.GetValue(lrBackbone));
            Add("schedule.max_steps", parse.GetValue(maxSteps));
            Add("schedule.time_limit_minutes", parse.GetValue(minutes));
            Add("runtime.threads", parse.GetValue(threads));
            Add("runtime.seed", parse.GetValue(seed));
            AddText("model.init_from", parse.GetValue(weights));
            AddText("model.freeze", parse.GetValue(freeze));
            overrides.AddRange(SplitSettings(parse.GetValue(set) ?? Array.Empty<string>()));
            // a fresh run's family: --model, else --set model.name, else the default; its recipe is the base the flags override
            var family = parse.GetValue(model) ?? overrides.LastOrDefault(o => o.Item1.Trim() == "model.name").Item2?.Trim().Trim('"') ?? DefaultModel;
            var cfg = (fromFile ?? RunConfig.ForModel(family)).With(overrides);
            if (parse.GetValue(printConfig))
            {
                Console.WriteLine(cfg.ToJson());
                return 0;
            }
            var runDir = parse.GetValue(output) ?? $"runs/{cfg.Model.Name}-shapes";
            if (parse.GetValue(nproc) is { } n)
            {
                if (n < 1) throw new ArgumentException($"--nproc must be at least 1; got {n}");
                if (DistributedSettings.FromEnvironment() != null)
                    throw new ArgumentException("--nproc starts its own workers; under torchrun (WORLD_SIZE set) leave it out");
                if (n > 1)
                    return WorkerLauncher.Run(n, WorkerLauncher.WithoutNproc(CliApp.CurrentArgs), TimeSpan.FromSeconds(cfg.Runtime.DistTimeoutSeconds));
            }
            return Train(new TrainRequest(cfg, fromFile, overrides), runDir, parse.GetValue(resume), parse.GetValue(restart));
        });
        return cmd;
    }

    /// <summary>Splits "section.key=value" strings.</summary>
    public static IEnumerable<(string, string)> SplitSettings(IEnumerable<string> items)
    {
        foreach (var item in items)
        {
            int eq = item.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--set expects section.key=value, got '{item}'");
            yield return (item[..eq], item[(eq + 1)..]);
        }
    }

    /// <summary>What the command line asked for: the effective config, the --config file's (if any) and the overrides.</summary>
    sealed record TrainRequest(RunConfig Config, RunConfig? FromFile, List<(string, string)> Overrides);

    static int Train(TrainRequest request, string runDir, string? resumeFrom, bool restart)
    {
        var clock = Stopwatch.StartNew();
        // a distributed run (torchrun's variables, or --nproc's workers): join it first; rank 0 alone prints and writes
        var settings = DistributedSettings.FromEnvironment();
        using var dist = settings == null ? null : DistributedContext.Join(settings, TimeSpan.FromSeconds(request.Config.Runtime.DistTimeoutSeconds));
        var console = new ConsoleObserver();
        ITrainingObserver observer = dist is { IsMain: false } ? SilentObserver.Instance : console;
        // fault injection for the failure tests (and for trying a launch's failure handling): this rank dies at once
        if (settings != null && Environment.GetEnvironmentVariable("DETRSHARP_FAULT_KILL_RANK") == settings.Rank.ToString()) Process.GetCurrentProcess().Kill();
        var folder = new RunFolder(runDir);
        var cfg = request.Config;
        // rank 0 alone moves the folder aside (--restart); no rank then resumes from what it finds there
        bool moved = restart && resumeFrom == null && dist is not { IsMain: false } && folder.MoveAside();
        if (moved) observer.Message($"--restart: the earlier run is kept in {folder.PreviousPath} until this run writes its first checkpoint");
        resumeFrom ??= !(restart && dist != null) && File.Exists(folder.CheckpointPath) ? folder.CheckpointPath : null;
        if (!moved && resumeFrom == null && Directory.Exists(folder.PreviousPath))
            observer.Message($"{folder.PreviousPath} holds an earlier run that --restart moved aside; it is removed when this run writes its first checkpoint");
        if (resumeFrom != null)
        {
            // the run's saved config, with the command line's settings on top: only those that may change mid-run may differ
            using var ck = Checkpoint.Load(resumeFrom);
            var saved = ck.Config;
            cfg = ResumeRules.Merge(saved, (request.FromFile ?? saved).With(request.Overrides), resumeFrom);
        }
        cfg.Runtime.CheckDeviceAvailable();
        string root;
        if (dist is { IsMain: false })
        {
            if (cfg.Data.Path == null) dist.MainDone("synthetic-set");
            root = cfg.Data.Path ?? EnsureSynthetic(cfg, observer);
        }
        else
        {
            root = cfg.Data.Path ?? EnsureSynthetic(cfg, observer);
            if (cfg.Data.Path == null) dist?.MainDone("synthetic-set");
        }
        torch.manual_seed(cfg.Runtime.Seed);
        torch.set_num_threads(cfg.Runtime.TrainingThreads);
        var data = TrainingData.Open(root, cfg, settings);
        // a resumed run's weights come from its checkpoint, not from model.init_from again
        var buildCfg = resumeFrom != null ? cfg with { Model = cfg.Model with { InitFrom = null } } : cfg;
        using var detector = DetectorFactory.Build(buildCfg, data.ClassNames.Count, observer.Message, dist == null ? null : dist.ReduceNumBoxes);
        observer.Message($"data: {root} ({data.Train.Count} train / {data.Val.Count} val images, {data.ClassNames.Count} classes); " +
                         $"model: {cfg.Model.Name}, {detector.Module.parameters().Sum(p => p.numel()):N0} parameters; device {cfg.Runtime.Device}; threads {torch.get_num_threads()}");
        if (dist != null) observer.Message($"distributed: {dist.WorldSize} ranks (c10d Gloo, master {settings!.MasterAddr}:{settings.MasterPort}); data.batch_size {cfg.Data.BatchSize} per rank");
        ITrainingObserver watchers = dist is { IsMain: false } ? observer : new ObserverGroup(observer, new RunPictureWriter(runDir, data, observer.Message));
        using var trainer = new Trainer(detector, data, cfg, runDir, watchers, dist);
        if (resumeFrom != null) trainer.Resume(resumeFrom);
        using var signals = new InterruptSignals(observer.Message);
        try
        {
            var result = dist is { IsMain: false } ? trainer.Run(signals.Token) : console.Run(() => trainer.Run(signals.Token));
            if (result != null)
            {
                ConsoleObserver.PrintSummary(result, runDir, clock.Elapsed, trainer.Progress.Step);
                Console.WriteLine($"report: {DetrSharp.Reporting.ReportPage.Write(runDir)} (pictures and tables; `detrsharp report {runDir}` rewrites it)");
            }
        }
        catch (TrainingInterruptedException e)
        {
            if (dist is not { IsMain: false }) // rank 0 wrote the checkpoint and speaks for the run
                Console.Error.WriteLine($"detrsharp: training was interrupted ({signals.Reason ?? "cancelled"}) at step {e.Step}; " +
                                    $"checkpoint written to {e.CheckpointPath}; no final evaluation. " +
                                    $"To resume, run the same command again (or: detrsharp train --out {runDir})");
            return signals.ExitCode;
        }
        return 0;
    }

    /// <summary>Writes the synthetic set once (a no-op when it is already there with the same settings).</summary>
    public static string EnsureSynthetic(RunConfig cfg, ITrainingObserver observer)
    {
        var d = cfg.Data;
        var root = $"{DefaultSynthRoot}-{d.SynthSize}px-{d.SynthTrain}-{d.SynthVal}-seed{cfg.Runtime.Seed}";
        var r = SyntheticShapes.Generate(root, new SyntheticShapesOptions
        {
            TrainImages = d.SynthTrain, ValImages = d.SynthVal, ImageSize = d.SynthSize, Seed = cfg.Runtime.Seed,
        });
        if (r.Generated) observer.Message($"wrote the synthetic shapes set to {root} ({r.TrainImages} train / {r.ValImages} val images)");
        return root;
    }
}
