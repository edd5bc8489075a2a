using System.Text.Json.Nodes;
using DetrSharp.Data.Coco;
using DetrSharp.Data.Synthetic;
using DetrSharp.Evaluation;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>The tiny synthetic set written twice, as a COCO folder and in the YOLO layout (the same images).</summary>
public sealed class TinyYoloData : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "detrsharp-yolo-tests-" + Guid.NewGuid().ToString("N")[..8]);
    public string Coco => Path.Combine(Root, "coco");
    public string Yolo => Path.Combine(Root, "yolo");

    public TinyYoloData()
    {
        foreach (var (dir, format) in new[] { (Coco, SyntheticShapesFormat.Coco), (Yolo, SyntheticShapesFormat.Yolo) })
            SyntheticShapes.Generate(dir, new SyntheticShapesOptions { TrainImages = 16, ValImages = 8, ImageSize = 96, Seed = 7, MaxObjects = 1, Format = format });
    }

    /// <summary>A copy of the YOLO form that tests may damage.</summary>
    public string Copy(string name)
    {
        var to = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var f in Directory.EnumerateFiles(Yolo, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(Yolo, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
        return to;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// data.path naming a YOLO dataset: the layout is told apart from a COCO folder, a short run trains and evaluates, the
/// evaluation equals the COCO form's on the same images, and bad label files go through skip_bad_samples' reporting.
/// </summary>
[Collection(SerialTraining.Name)]
public class YoloDatasetTrainingTests(TinyYoloData data) : IClassFixture<TinyYoloData>
{
    [Fact]
    public void TheLayoutIsDetectedAndNeitherIsAnErrorNamingWhatWasLookedFor()
    {
        Assert.Equal("COCO", DatasetSource.Detect(data.Coco).Layout);
        Assert.Equal("YOLO", DatasetSource.Detect(data.Yolo).Layout);
        Assert.Equal("YOLO", DatasetSource.Detect(Path.Combine(data.Yolo, "data.yaml")).Layout);

        var empty = Path.Combine(data.Root, "empty");
        Directory.CreateDirectory(empty);
        var e = Assert.Throws<DatasetException>(() => DatasetSource.Detect(empty));
        Assert.Contains($"data.path '{empty}' is neither dataset layout", e.Message);
        Assert.Contains("annotations/instances_train.json", e.Message);
        Assert.Contains("data.yaml", e.Message);
        Assert.Contains("does not exist", Assert.Throws<DatasetException>(() => DatasetSource.Detect(Path.Combine(data.Root, "nowhere"))).Message);
        var text = Path.Combine(data.Root, "notes.txt");
        File.WriteAllText(text, "");
        Assert.Contains("is a file but not a YOLO data.yaml", Assert.Throws<DatasetException>(() => DatasetSource.Detect(text)).Message);
    }

    [Fact]
    public void AShortRunOnAYoloFolderTrainsAndEvaluatesAsOnTheCocoForm()
    {
        var cfg = TinyData.With(TinyData.Config(data.Yolo), ("schedule.epochs", 2));
        torch.manual_seed(cfg.Runtime.Seed);
        var yolo = TrainingData.Open(data.Yolo, cfg);
        var coco = TrainingData.Open(data.Coco, TinyData.Config(data.Coco));
        Assert.Equal((16, 8), (yolo.Train.Count, yolo.Val.Count));
        Assert.Equal(coco.ClassNames, yolo.ClassNames);
        Assert.EndsWith("data.yaml", yolo.ValAnnotations);
        Assert.Equal(coco.ValGroundTruth.Annotations.Count, yolo.ValGroundTruth.Annotations.Count);
        Assert.Equal(coco.ValGroundTruth.ImageIds, yolo.ValGroundTruth.ImageIds);

        using var det = DetectorFactory.Build(cfg, yolo.ClassNames.Count);
        var dir = Path.Combine(data.Root, "run-" + Guid.NewGuid().ToString("N")[..6]);
        using var trainer = new Trainer(det, yolo, cfg, dir);
        var result = trainer.Run();
        Assert.NotNull(result);
        Assert.Equal(8, trainer.Progress.Step);
        Assert.True(File.Exists(Path.Combine(dir, "eval.json")));
        // the same detections scored against each form's ground truth: the same numbers (boxes agree to float rounding)
        var (onCoco, onYolo) = (new List<CocoDetection>(), new List<CocoDetection>());
        int k = 0;
        foreach (var a in coco.ValGroundTruth.Annotations)
        {
            int label = coco.Val.Categories.LabelOf((int)a.CategoryId);
            var box = new CocoBox(a.Box.X + (k % 2) * 0.3 * a.Box.Width, a.Box.Y, a.Box.Width, a.Box.Height); // every other one at IoU 0.54
            double score = 1 - 0.05 * (k++ % 10);
            onCoco.Add(new CocoDetection(a.ImageId, a.CategoryId, box, score));
            onYolo.Add(new CocoDetection(a.ImageId, yolo.Val.Categories.CategoryIdOf(label), box, score));
        }
        var c = DetectionEvaluator.Score(coco.ValGroundTruth, onCoco, coco.Val.Categories);
        var y = DetectionEvaluator.Score(yolo.ValGroundTruth, onYolo, yolo.Val.Categories);
        Assert.InRange(c.Stats["AP"], 0.2, 0.9);
        foreach (var key in new[] { "AP", "AP50", "AP75", "AR100" }) Assert.Equal(c.Stats[key], y.Stats[key], 6);
        Assert.Equal(c.PerCategoryAP, y.PerCategoryAP);
        Assert.InRange(result!.AP50, 0, 1);
    }

    [Fact]
    public void ABadLabelFileIsAnErrorOrWithSkipBadSamplesASkippedSample()
    {
        var root = data.Copy("bad-label");
        var label = Directory.EnumerateFiles(Path.Combine(root, "labels", "train")).Order().First();
        File.WriteAllText(label, "0 0.5 0.5 0.2 0.2\n9 0.5 0.5 0.2 0.2\n");
        var e = Assert.Throws<DatasetException>(() => TrainingData.Open(root, TinyData.Config(root)));
        Assert.Contains($"{label} line 2: class 9 is out of range: the dataset has 5 classes (0-4)", e.Message);

        var cfg = TinyData.With(TinyData.Config(root), ("data.skip_bad_samples", true), ("data.max_skipped_fraction", 0.1),
            ("schedule.max_steps", 2), ("schedule.epochs", 1));
        var opened = TrainingData.Open(root, cfg);
        Assert.Equal(15, opened.Train.Count);
        var dir = Path.Combine(data.Root, "run-" + Guid.NewGuid().ToString("N")[..6]);
        torch.manual_seed(cfg.Runtime.Seed);
        using (var det = DetectorFactory.Build(cfg, opened.ClassNames.Count))
        using (var trainer = new Trainer(det, opened, cfg, dir))
            Assert.NotNull(trainer.Run());
        var lines = File.ReadAllLines(Path.Combine(dir, "skipped.txt"));
        Assert.Contains(lines, l => l.StartsWith("train\t") && l.Contains($"{label} line 2"));
        var rows = File.ReadAllLines(Path.Combine(dir, "log.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Single(rows, r => (string?)r["type"] == "skipped");
    }

    [Fact]
    public void DuplicateLabelLinesReachTheRunsWarnings()
    {
        var root = data.Copy("duplicates");
        var label = Directory.EnumerateFiles(Path.Combine(root, "labels", "val")).Order().First();
        File.AppendAllText(label, File.ReadAllText(label));
        var opened = TrainingData.Open(root, TinyData.Config(root));
        Assert.True(opened.Warnings.TryDequeue(out var w));
        Assert.Contains("1 duplicate label line(s) removed", w);
        Assert.Contains(label, w);
    }
}
