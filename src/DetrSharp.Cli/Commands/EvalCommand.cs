using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using DetrSharp.Training;

namespace DetrSharp.Cli.Commands;

/// <summary>`detrsharp eval`: COCO bbox evaluation of a trained checkpoint on a dataset's validation split.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint written by `detrsharp train`", DefaultValueFactory = _ => Path.Combine(TrainCommand.DefaultRunDir, Checkpoint.FileName) };
        var data = new Option<string?>("--data") { Description = "COCO folder (default: the dataset the checkpoint was trained on)" };
        var json = new Option<string?>("--json") { Description = "Write the 12 stats and per-category AP to this file" };
        var ema = new Option<bool>("--ema") { Description = "Evaluate the EMA weights" };
        var topk = new Option<int?>("--topk") { Description = "Detections per image: the N best (query, class) pairs; 0 = one per query (default: the run's topk_detections)" };
        var cmd = new Command("eval", "Evaluate a trained checkpoint with COCO mAP on the validation split") { checkpoint, data, json, ema, topk };
        cmd.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            using var trained = TrainedDetector.Load(parse.GetValue(checkpoint)!, parse.GetValue(ema), parse.GetValue(topk));
            var cfg = trained.Config;
            var root = parse.GetValue(data) ?? cfg.Data ?? TrainCommand.EnsureSynthetic(cfg, new ConsoleObserver());
            var td = TrainingData.Open(root, cfg);
            if (!td.ClassNames.SequenceEqual(trained.ClassNames))
                throw new ArgumentException($"{root}: its categories ({string.Join(", ", td.ClassNames)}) differ from the checkpoint's ({string.Join(", ", trained.ClassNames)})");
            var result = DetectionEvaluator.Evaluate(trained.Detector, td.ValLoader, td.ValGroundTruth);
            if (parse.GetValue(json) is { } path)
                DetrSharp.Data.IO.AtomicFile.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(result.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true })), flushToDisk: false);
            ConsoleObserver.PrintSummary(result, Path.GetDirectoryName(parse.GetValue(checkpoint)!) ?? ".", clock.Elapsed, trained.Progress.Step);
            return 0;
        });
        return cmd;
    }
}
