using DetrSharp.Data.Synthetic;
using DetrSharp.Detection.Families;
using DetrSharp.Detection.Tests.Yolo;
using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;
using Xunit;
using Xunit.Abstractions;

namespace DetrSharp.Training.Tests;

/// <summary>
/// Fine-tuning (--weights, model.init_from) from weights written for 91 classes onto the tiny 5-class synthetic set:
/// every tensor loads except exactly the class tensors, which keep the family's init for 5 classes, and the model
/// trains from there. The weights are made here: a DetrSharp DETR checkpoint, an official-layout DINO .pth (its
/// <c>model</c> dict), an ultralytics-layout YOLO .pt.
/// </summary>
[Collection(SerialTraining.Name)]
public class FineTuningTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    readonly ITestOutputHelper output;
    public FineTuningTests(TinyData data, ITestOutputHelper output)
    {
        _data = data;
        this.output = output;
    }

    static readonly List<object?> CocoNames = Enumerable.Range(1, 91).Select(i => (object?)$"coco{i}").ToList();

    /// <summary>A DetrSharp training checkpoint of <paramref name="cfg"/>'s model built for 91 classes.</summary>
    internal static string Write91ClassCheckpoint(RunConfig cfg, string path)
    {
        torch.manual_seed(123);
        using var det = DetectorFactory.Build(cfg with { Model = cfg.Model with { InitFrom = null, Freeze = null } }, 91);
        using var opt = TrainingOptimizer.Create(det, cfg.Optim);
        var sched = new optim.lr_scheduler.LambdaLR(opt, _ => 1.0);
        Checkpoint.Save(path, det.Module, opt, sched, null, new TrainingProgress(0, 0, 0), cfg,
            new Dictionary<string, object?> { ["class_names"] = CocoNames });
        return path;
    }

    (double first, double last) Train(IDetector det, RunConfig cfg, string runDir, TrainingData data)
    {
        using var trainer = new Trainer(det, data, cfg, runDir);
        trainer.Run();
        var curve = trainer.LossCurve.Select(p => p.loss).ToArray();
        output.WriteLine("losses: " + string.Join(" ", curve.Select(l => l.ToString("F2"))));
        return (curve.Take(5).Average(), curve.TakeLast(5).Average());
    }

    [Fact]
    public void DetrFrom91ClassesReinitialisesExactlyTheClassHeadAndTrains()
    {
        var dir = Path.Combine(_data.Root, "ft-detr");
        var cfg = TinyData.With(TinyData.Config(_data.Root), ("schedule.epochs", 20), ("schedule.max_steps", 30), ("optim.lr", 1e-3));
        var weights = Write91ClassCheckpoint(cfg, Path.Combine(_data.Root, "detr91.pth"));
        cfg = TinyData.With(cfg, ("model.init_from", weights));
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, cfg);
        var messages = new List<string>();
        using var det = DetectorFactory.Build(cfg, data.ClassNames.Count, messages.Add);
        output.WriteLine(string.Join("\n", messages));
        Assert.Contains(messages, m => m.Contains("re-initialised: class_embed.weight [92, 64] -> [6, 64], class_embed.bias [92] -> [6]"));

        // the same file again into the loaded model: the report's lists, and the loaded tensors equal the file's
        var report = InitialWeights.Load(det, cfg.Model, weights);
        Assert.Equal(["class_embed.weight", "class_embed.bias"], report.ReinitialisedKeys);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Equal(det.Module.state_dict().Count - 2, report.Loaded.Count);
        using (var ck = Checkpoint.Load(weights))
        {
            var sd = det.Module.state_dict();
            Assert.True(torch.equal(ck.Model["transformer.decoder.layers.0.linear1.weight"], sd["transformer.decoder.layers.0.linear1.weight"]));
            Assert.True(torch.equal(ck.Model["backbone.0.body.layer2.0.conv1.weight"], sd["backbone.0.body.layer2.0.conv1.weight"]));
        }

        var (first, last) = Train(det, cfg, dir, data);
        output.WriteLine($"detr fine-tune: loss {first:F3} -> {last:F3}");
        Assert.True(last < 0.9 * first, $"the loss did not fall: first 5 steps {first:F3}, last 5 {last:F3}");

        // the run's checkpoint: a 5-class model with the dataset's names
        using var trained = TrainedDetector.Load(Path.Combine(dir, Checkpoint.FileName));
        Assert.Equal(SyntheticShapes.ClassNames, trained.ClassNames);
        Assert.Equal(6, trained.Detector.Module.state_dict()["class_embed.bias"].size(0));
        var image = Directory.GetFiles(TrainingData.Locate(_data.Root, "val").images)[0];
        Assert.All(trained.Predict(image, 0f).Labels, l => Assert.InRange(l, 0, 4));
    }

    [Fact]
    public void DinoFromAnOfficialLayout91ClassPthReinitialisesExactlyTheClassTensorsWithThePriorBias()
    {
        var cfg = DinoTrainingTests.TinyDino(_data.Root);
        var path = Path.Combine(_data.Root, "dino91.pth");
        torch.manual_seed(123);
        using (var det91 = DetectorFactory.Build(cfg, 91))
            torch.save(new Dictionary<string, object?> { ["model"] = det91.Module.state_dict(), ["epoch"] = 11L }, path);
        using var det = DetectorFactory.Build(cfg, 5);
        var report = InitialWeights.Load(det, cfg.Model, path);
        output.WriteLine(report.Summary());
        Assert.Equal("a PyTorch state dict", report.Description);
        int layers = ((DetrSharp.Detection.Dino.DinoConfig)cfg.Model).DecLayers;
        var expected = Enumerable.Range(0, layers).SelectMany(i => new[] { $"class_embed.{i}", $"transformer.decoder.class_embed.{i}" })
            .Append("transformer.enc_out_class_embed").SelectMany(m => new[] { m + ".weight", m + ".bias" }).Append("label_enc.weight");
        Assert.Equal(expected.Order(), report.ReinitialisedKeys.Order());
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        // DINO's class heads start at the prior probability 0.01
        var sd = det.Module.state_dict();
        foreach (var key in new[] { "class_embed.0.bias", "transformer.enc_out_class_embed.bias" })
            Assert.True(torch.allclose(sd[key], torch.full_like(sd[key], -Math.Log(99.0)), atol: 1e-6), key);
    }

    [Theory]
    [InlineData("yolov8")]
    [InlineData("yolov10")]
    public void YoloFromA91ClassUltralyticsFileReinitialisesExactlyTheClassBranchesWhichTrain(string family)
    {
        var tiny = TinyData.Config(_data.Root);
        var cfg = tiny.With([("model.name", family)]) with { Data = tiny.Data, Runtime = tiny.Runtime };
        cfg = TinyData.With(cfg, ("schedule.epochs", 20), ("optim.lr", 0.001));
        var path = Path.Combine(_data.Root, $"{family}n-91.pt");
        torch.manual_seed(123);
        using (var source = YoloModel.Build($"{family}n", 91))
            torch.save(UltralyticsPickle.Checkpoint(source, $"{family}n.yaml", "n", CocoNames.Cast<string>().ToList(), asEma: true), path);
        cfg = TinyData.With(cfg, ("model.init_from", path));
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, cfg);
        using var det = DetectorFactory.Build(cfg, data.ClassNames.Count);
        var report = InitialWeights.Load(det, cfg.Model, path);
        output.WriteLine(report.Summary());
        Assert.Equal($"an ultralytics {family}n checkpoint", report.Description);
        // the class branches: every tensor of cv3 (and one2one_cv3) whose shape depends on the classes (c3 = max(ch[0], min(nc, 100))
        // channels): all but BatchNorm's step counters and, in YOLOv10, the depthwise 3x3 conv on the level's own channels (cv3.i.0.0)
        var head = $"model.{((YoloModel)det.Module).Config.Layers.Count - 1}.";
        var branches = family == "yolov10" ? new[] { head + "cv3.", head + "one2one_cv3." } : new[] { head + "cv3." };
        bool Depthwise(string k, string b) => family == "yolov10" && System.Text.RegularExpressions.Regex.IsMatch(k[b.Length..], @"^\d\.0\.0\.");
        var expected = det.Module.state_dict().Keys
            .Where(k => branches.Any(b => k.StartsWith(b, StringComparison.Ordinal) && !Depthwise(k, b)) && !k.EndsWith("num_batches_tracked", StringComparison.Ordinal));
        Assert.Equal(expected.Order(), report.ReinitialisedKeys.Order());
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        // bias_init for 5 classes at the first level (stride 8)
        var bias = det.Module.state_dict()[head + "cv3.0.2.bias"];
        Assert.True(bias.size(0) == 5 && torch.allclose(bias, torch.full_like(bias, Math.Log(5.0 / 5 / Math.Pow(640.0 / 8, 2))), atol: 1e-6));

        // trains: the steps run (finite losses) and move the re-initialised class branches and the loaded tensors alike. (The
        // loss is no measure over a few steps here: from these random "pretrained" weights the task-aligned assigner finds
        // more positives as the boxes improve, and the normalised loss of even one repeated batch rises at first.)
        var probe = new[] { head + "cv3.0.2.weight", head + "cv3.2.2.bias", "model.0.conv.weight", head + "cv2.1.2.weight" };
        var before = probe.ToDictionary(k => k, k => det.Module.state_dict()[k].clone());
        using var opt = TrainingOptimizer.Create(det, cfg.Optim);
        var step = new TrainingStep(det, opt, cfg.Optim.ClipMaxNorm);
        using var batch = data.TrainLoader.Epoch(0).First(b => b.Targets.Count(t => t.Count > 0) >= 2);
        det.Module.train();
        var losses = Enumerable.Range(1, 3).Select(i => step.Run(batch, i)["loss"]).ToArray();
        output.WriteLine($"{family} fine-tune, one batch: losses {string.Join(" ", losses.Select(l => l.ToString("F2")))}");
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        var after = det.Module.state_dict();
        Assert.All(probe, k => Assert.False(torch.equal(before[k], after[k]), $"{k} did not train"));
    }
}
