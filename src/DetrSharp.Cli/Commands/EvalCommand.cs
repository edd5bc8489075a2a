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
        var data = new Option<string?>("--data") { Description = "COCO folder, YOLO data.yaml or a folder holding data.yaml (default: the dataset the checkpoint was trained on)" };
        var json = new Option<string?>("--json") { Description = "Write the 12 stats and per-category AP to this file" };
        var ema = new Option<bool>("--ema") { Description = "Evaluate the EMA weights" };
        var topk = new Option<int?>("--topk") { Description = "DETR: detections per image, the N best (query, class) pairs; 0 = one per query (default: the run's model.topk_detections)" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default: the run's runtime.device)" };
        var engine = new Option<string>("--engine") { Description = "torch: the checkpoint on libtorch; onnx: an exported --model through ONNX Runtime", DefaultValueFactory = _ => "torch" };
        var model = new Option<string?>("--model") { Description = "With --engine onnx: the model written by `detrsharp export --format onnx`" };
        var cmd = new Command("eval", HelpText.WithExamples("Evaluate a trained checkpoint with COCO mAP on the validation split",
            "detrsharp eval --checkpoint runs/yolov10-shapes/checkpoint.pth", "detrsharp eval --checkpoint runs/mine/checkpoint.pth --data /path/to/coco --json stats.json --ema",
            "detrsharp eval --engine onnx --model model.onnx --data /path/to/coco")) { checkpoint, data, json, ema, topk, device, engine, model };
        cmd.SetAction(parse =>
        {
            if (ImagePredictor.Engine(parse.GetValue(engine)) == "onnx")
                return OnnxEvaluation.Run(parse.GetValue(model) ?? throw new ArgumentException("--engine onnx needs --model FILE: a model written by `detrsharp export --format onnx`"),
                    parse.GetValue(data), parse.GetValue(json));
            var clock = Stopwatch.StartNew();
            using var trained = TrainedDetector.Load(parse.GetValue(checkpoint)!, parse.GetValue(ema), InferenceOverrides(parse.GetValue(topk), parse.GetValue(device)));
            var cfg = trained.Config;
            var root = parse.GetValue(data) ?? cfg.Data.Path ?? TrainCommand.EnsureSynthetic(cfg, new ConsoleObserver());
            // an unreadable image is reported and the others evaluated; the exit status is then 1
            var vd = ValidationData.Open(root, cfg, skipUnreadable: true);
            if (!vd.ClassNames.SequenceEqual(trained.ClassNames))
                throw new ArgumentException($"{root}: its categories ({string.Join(", ", vd.ClassNames)}) differ from the checkpoint's ({string.Join(", ", trained.ClassNames)})");
            var result = DetectionEvaluator.Evaluate(trained.Detector, vd.Loader, vd.GroundTruth, precision: trained.Precision);
            if (parse.GetValue(json) is { } path)
                DetrSharp.Torch.IO.AtomicFile.WriteAllText(path, result.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            var skipped = vd.Loader.Skipped.ToList();
            ConsoleObserver.PrintEvaluation(result, new EvaluationSummary(parse.GetValue(checkpoint)!, trained.Progress.Step, vd.Annotations,
                vd.Val.Count, skipped.Count, parse.GetValue(ema), clock.Elapsed));
            if (skipped.Count == 0) return 0;
            foreach (var (position, reason) in skipped)
                Console.Error.WriteLine($"detrsharp: skipped {reason} ({vd.Val.GetRecord(position).Labels.Length} ground-truth boxes, counted as missed)");
            Console.Error.WriteLine($"detrsharp: {skipped.Count} of {vd.Val.Count} images could not be read; the metrics above count their objects as missed");
            return 1;
        });
        return cmd;
    }

    /// <summary>The settings eval and predict may change on a trained run: DETR's top-k and the device.</summary>
    public static List<(string, string)> InferenceOverrides(int? topk, string? device)
    {
        var list = new List<(string, string)>();
        if (topk is { } k) list.Add(("model.topk_detections", k.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (device != null) list.Add(("runtime.device", JsonSerializer.Serialize(device)));
        return list;
    }
}
