using System.Text.Json.Nodes;
using DetrSharp.Data.Coco;
using DetrSharp.Data.Loading;
using DetrSharp.Evaluation;
using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>The 12 COCO summary stats under the names the CLI writes (AP, AP50 ... ARl), plus per-category AP.</summary>
public sealed record EvalResult(IReadOnlyDictionary<string, double> Stats, IReadOnlyDictionary<string, double> PerCategoryAP, IReadOnlyList<string> Lines)
{
    public static readonly string[] Keys = { "AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl" };

    public double AP50 => Stats["AP50"];

    /// <summary>COCOeval's accumulated arrays (precision/recall curves), or null when there were no detections.</summary>
    public CocoAccumulation? Accumulation { get; init; }

    /// <summary>The detections that were scored (ids and boxes in the stored images' pixels).</summary>
    public IReadOnlyList<CocoDetection> Detections { get; init; } = [];

    /// <summary>The precision the forward ran in (fp32, bf16, fp16), recorded in eval.json; null when not known.</summary>
    public string? Precision { get; init; }

    public JsonObject ToJson()
    {
        var o = new JsonObject();
        foreach (var k in Keys) o[k] = Math.Round(Stats[k], 6);
        var per = new JsonObject();
        foreach (var (name, ap) in PerCategoryAP) per[name] = Math.Round(ap, 6);
        o["per_category_AP"] = per;
        if (Precision != null) o["precision"] = Precision;
        return o;
    }
}

/// <summary>Runs a detector over a validation loader and scores it with COCO bbox evaluation.</summary>
public static class DetectionEvaluator
{
    /// <param name="precision">autocast around the forward (null: float32); post-processing stays float32</param>
    public static EvalResult Evaluate(IDetector detector, DataLoader loader, CocoGroundTruth groundTruth, Action<int, int>? progress = null, RunPrecision? precision = null)
        => Score(groundTruth, Detect(detector, loader, progress, precision), loader.Dataset.Categories) with { Precision = precision?.Name ?? "fp32" };

    /// <summary>
    /// The detections of every image the loader gives (in its order; each image's in the detector's order), boxes in the
    /// stored images' pixels. A distributed loader's share is this rank's: the images it loads only as padding
    /// (<see cref="DataLoader.PaddingPositions"/>) are left out, as another rank reports them.
    /// </summary>
    public static List<CocoDetection> Detect(IDetector detector, DataLoader loader, Action<int, int>? progress = null, RunPrecision? precision = null)
    {
        var dataset = loader.Dataset;
        var padding = loader.PaddingPositions(0).Select(dataset.ImageIdAt).ToHashSet();
        var detections = new List<CocoDetection>();
        bool wasTraining = detector.Module.training;
        var device = detector.Module.parameters().FirstOrDefault()?.device ?? Device.CPU;
        detector.Module.eval();
        try
        {
            int done = 0, total = loader.BatchesPerEpoch;
            foreach (var batch in loader.Epoch(0))
            {
                using (batch)
                using (torch.NewDisposeScope())
                using (torch.no_grad())
                using (var onDevice = batch.To(device))
                using (precision?.Autocast())
                {
                    foreach (var img in detector.Predict(onDevice))
                    {
                        if (padding.Contains(img.ImageId)) continue;
                        for (int i = 0; i < img.Scores.Length; i++)
                        {
                            float x1 = img.BoxesXyxy[i * 4], y1 = img.BoxesXyxy[i * 4 + 1], x2 = img.BoxesXyxy[i * 4 + 2], y2 = img.BoxesXyxy[i * 4 + 3];
                            detections.Add(new CocoDetection(img.ImageId, dataset.Categories.CategoryIdOf(img.Labels[i]), new CocoBox(x1, y1, x2 - x1, y2 - y1), img.Scores[i]));
                        }
                    }
                }
                progress?.Invoke(++done, total);
            }
        }
        finally
        {
            detector.Module.train(wasTraining);
        }
        return detections;
    }

    /// <summary>COCO stats of a detection list; an empty list scores zero everywhere (pycocotools would refuse it).</summary>
    public static EvalResult Score(CocoGroundTruth groundTruth, IReadOnlyList<CocoDetection> detections, CocoCategories categories)
    {
        if (detections.Count == 0)
            return new EvalResult(EvalResult.Keys.ToDictionary(k => k, _ => 0.0), categories.Names.ToDictionary(n => n, _ => 0.0), new[] { "no detections" }) { Detections = detections };
        var stats = CocoEvaluator.Run(groundTruth, detections);
        var named = new Dictionary<string, double>();
        for (int i = 0; i < EvalResult.Keys.Length; i++) named[EvalResult.Keys[i]] = stats.Stats[i];
        var per = new Dictionary<string, double>();
        foreach (var (catId, ap) in stats.PerCategoryAP)
            per[categories.TryGetLabel((int)catId, out var label) ? categories.NameOf(label) : catId.ToString()] = ap;
        return new EvalResult(named, per, stats.Lines) { Accumulation = stats.Accumulation, Detections = detections };
    }
}
