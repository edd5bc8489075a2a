using System.Diagnostics;
using System.Text.Json;
using DetrSharp.Data.Coco;
using DetrSharp.Data.Imaging;
using DetrSharp.Evaluation;
using DetrSharp.Onnx;
using DetrSharp.Training;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// `detrsharp eval --engine onnx --model FILE [--data COCO]`: COCO mAP of an exported model run through ONNX Runtime on a
/// validation split, images decoded and letterboxed by the ONNX detector, batched when the model's batch is dynamic;
/// no libtorch in the process.
/// </summary>
public static class OnnxEvaluation
{
    const int BatchSize = 8;

    public static int Run(string modelPath, string? data, string? jsonPath)
    {
        var clock = Stopwatch.StartNew();
        using var onnx = OnnxDetector.Load(modelPath);
        var root = data ?? TrainCommand.EnsureSynthetic(RunConfig.ForModel(onnx.Family), new ConsoleObserver());
        var (annotations, images) = TrainingData.Locate(root, "val");
        var val = CocoDataset.Load(annotations, images);
        if (!val.CategoryNames.SequenceEqual(onnx.ClassNames))
            throw new ArgumentException($"{root}: its categories ({string.Join(", ", val.CategoryNames)}) differ from the model's ({string.Join(", ", onnx.ClassNames)})");
        var detections = new List<CocoDetection>();
        var skipped = new List<string>();
        for (int start = 0; start < val.Count; start += BatchSize)
        {
            var ids = new List<long>();
            var batch = new List<RgbImage>();
            for (int p = start; p < Math.Min(val.Count, start + BatchSize); p++)
            {
                try { batch.Add(val.LoadImage(p)); ids.Add(val.ImageIdAt(p)); }
                catch (ImageDecodeException e) { skipped.Add(e.Message); }
            }
            var results = onnx.Detect(batch);
            for (int i = 0; i < results.Count; i++)
                foreach (var d in results[i])
                    detections.Add(new CocoDetection(ids[i], val.Categories.CategoryIdOf(d.Label), new CocoBox(d.X1, d.Y1, d.X2 - d.X1, d.Y2 - d.Y1), d.Score));
        }
        var result = DetectionEvaluator.Score(CocoGroundTruth.Load(annotations), detections, val.Categories);
        if (jsonPath != null)
            DetrSharp.Torch.IO.AtomicFile.WriteAllText(jsonPath, result.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        ConsoleObserver.PrintEvaluation(result, new EvaluationSummary(modelPath + " (ONNX Runtime)", 0, annotations, val.Count, skipped.Count, false, clock.Elapsed));
        foreach (var s in skipped) Console.Error.WriteLine($"detrsharp: skipped {s} (its ground-truth boxes counted as missed)");
        return skipped.Count == 0 ? 0 : 1;
    }
}
