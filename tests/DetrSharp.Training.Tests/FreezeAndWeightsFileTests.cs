using DetrSharp.Detection.Configuration;
using DetrSharp.Detection.Families;
using DetrSharp.Detection.Models;
using DetrSharp.Detection.Tests.Yolo;
using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;
using Xunit;
using Xunit.Abstractions;

namespace DetrSharp.Training.Tests;

/// <summary>
/// --freeze (model.freeze) leaves the frozen parameters bit-identical through training steps while the rest train;
/// a torchvision ResNet state dict loads into the backbone only; bad --weights files are errors that say why.
/// </summary>
[Collection(SerialTraining.Name)]
public class FreezeAndWeightsFileTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    readonly ITestOutputHelper output;
    public FreezeAndWeightsFileTests(TinyData data, ITestOutputHelper output)
    {
        _data = data;
        this.output = output;
    }

    static RunConfig Yolo(string root, string family = "yolov8")
    {
        var tiny = TinyData.Config(root);
        return tiny.With([("model.name", family)]) with { Data = tiny.Data, Runtime = tiny.Runtime };
    }

    /// <summary>Trains a few steps; returns the parameters under the prefixes before, and whether each other parameter changed.</summary>
    void AssertFrozen(RunConfig cfg, string[] frozenPrefixes, string run)
    {
        // an optimizer step every batch (YOLO's nominal batch of 64 would accumulate past these 4 steps)
        cfg = TinyData.With(cfg, ("schedule.epochs", 5), ("schedule.max_steps", 4), ("schedule.warmup_steps", 0), ("optim.nominal_batch_size", cfg.Data.BatchSize));
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, cfg);
        var messages = new List<string>();
        using var det = DetectorFactory.Build(cfg, data.ClassNames.Count, messages.Add);
        output.WriteLine(string.Join("\n", messages));
        bool IsFrozen(string name) => frozenPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
        var before = det.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        Assert.Contains(before.Keys, IsFrozen);
        Assert.All(det.Module.named_parameters().Where(p => IsFrozen(p.name)), p => Assert.False(p.parameter.requires_grad, p.name));
        Assert.DoesNotContain(det.ParameterGroups().SelectMany(g => g.Parameters), p => IsFrozen(p.Name));
        using (var trainer = new Trainer(det, data, cfg, Path.Combine(_data.Root, run))) trainer.Run();
        int changed = 0;
        foreach (var (name, p) in det.Module.named_parameters())
        {
            if (IsFrozen(name)) Assert.True(torch.equal(before[name], p), $"{name} is frozen but changed");
            else if (!torch.equal(before[name], p)) changed++;
        }
        Assert.True(changed > 0, "no trainable parameter changed");
        foreach (var t in before.Values) t.Dispose();
    }

    [Fact]
    public void FreezeBackboneKeepsTheDetrBackboneBitIdentical()
        => AssertFrozen(TinyData.With(TinyData.Config(_data.Root), ("model.freeze", "backbone")), ["backbone."], "freeze-detr");

    [Fact]
    public void FreezeNKeepsTheFirstNYoloLayersBitIdentical()
        => AssertFrozen(TinyData.With(Yolo(_data.Root), ("model.freeze", 3)), ["model.0.", "model.1.", "model.2."], "freeze-yolo");

    [Fact]
    public void FreezeNOutOfRangeOrUnknownIsAnErrorSayingWhatItMayBe()
    {
        // the tiny DETR's ResNet has 3 stages: N counts the stem and them, 1..4
        var e = Assert.Throws<ConfigException>(() => DetectorFactory.Build(TinyData.With(TinyData.Config(_data.Root), ("model.freeze", 5)), 5));
        Assert.Contains("N must be 1..4", e.Message);
        var bad = Assert.Throws<ConfigException>(() => TinyData.With(TinyData.Config(_data.Root), ("model.freeze", "head")));
        Assert.Contains("model.freeze must be 'backbone' or a number", bad.Message);
        // --freeze 2 on DETR: the stem and layer1 (the reference freezes them anyway); the YOLO backbone is the YAML's 10 rows
        using var det = DetectorFactory.Build(TinyData.With(TinyData.Config(_data.Root), ("model.freeze", 2)), 5);
        Assert.Equal(["backbone.0.body.conv1.", "backbone.0.body.bn1.", "backbone.0.body.layer1."], det.FreezePrefixes(2));
        using var yolo = DetectorFactory.Build(Yolo(_data.Root), 5);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"model.{i}."), yolo.FreezePrefixes(null));
    }

    [Fact]
    public void ATorchvisionResNetStateDictLoadsIntoTheBackboneOnly()
    {
        var path = Path.Combine(_data.Root, "resnet18.pth");
        torch.manual_seed(99);
        using (var resnet = new ResNet(ResNetDepth.ResNet18, norm: ResNetNorm.BatchNorm))
        {
            var sd = resnet.state_dict();
            sd["fc.weight"] = torch.randn(1000, 512);
            sd["fc.bias"] = torch.zeros(1000);
            torch.save(sd, path);
        }
        var cfg = TinyData.With(TinyData.Config(_data.Root), ("model.init_from", path));
        using var det = DetectorFactory.Build(cfg, 5);
        var report = InitialWeights.Load(det, cfg.Model, path);
        output.WriteLine(report.Summary());
        Assert.Equal("a torchvision ResNet state dict", report.Description);
        Assert.NotEmpty(report.Loaded);
        Assert.All(report.Loaded, k => Assert.StartsWith("backbone.0.body.", k));
        Assert.Contains("backbone.0.body.layer3.1.conv2.weight", report.Loaded);
        Assert.Contains("backbone.0.body.bn1.running_var", report.Loaded);
        Assert.Empty(report.Reinitialised);
        // the tiny DETR's body ends at layer3: layer4 and fc are left out; all else keeps the family's init
        Assert.Contains("backbone.0.body.fc.weight", report.Unexpected);
        Assert.Contains("backbone.0.body.layer4.0.conv1.weight", report.Unexpected);
        Assert.All(report.Missing, k => Assert.False(k.StartsWith("backbone.0.body.", StringComparison.Ordinal), k));
        var file = (DetrSharp.Torch.Serialization.PickleDict)torch.load(path)!;
        Assert.True(torch.equal((Tensor)file["layer2.1.conv1.weight"]!, det.Module.state_dict()["backbone.0.body.layer2.1.conv1.weight"]));
        DetrSharp.Torch.Serialization.CheckpointTree.DisposeTensors(file);
        // YOLO has no ResNet to take it
        var e = Assert.Throws<ArgumentException>(() => DetectorFactory.Build(TinyData.With(Yolo(_data.Root), ("model.init_from", path)), 5));
        Assert.Contains("torchvision ResNet", e.Message);
    }

    [Fact]
    public void BadWeightsAreErrorsThatSayWhy()
    {
        var detr = TinyData.Config(_data.Root);
        IDetector Build(RunConfig c, string path) => DetectorFactory.Build(TinyData.With(c, ("model.init_from", path)), 5);

        var missing = Path.Combine(_data.Root, "no-such.pth");
        var e1 = Assert.Throws<FileNotFoundException>(() => Build(detr, missing));
        Assert.Contains("weights file not found: " + missing, e1.Message);

        var text = Path.Combine(_data.Root, "notes.pth");
        File.WriteAllText(text, "these are not weights\n");
        var e2 = Assert.Throws<InvalidDataException>(() => Build(detr, text));
        Assert.Contains(text + ": not a weights file", e2.Message);

        // a DetrSharp DETR checkpoint cannot start a YOLO model, nor an ultralytics file a DETR
        var detrCkpt = FineTuningTests.Write91ClassCheckpoint(detr, Path.Combine(_data.Root, "detr-for-yolo.pth"));
        var e3 = Assert.Throws<ArgumentException>(() => Build(Yolo(_data.Root), detrCkpt));
        Assert.Contains("a DetrSharp detr checkpoint cannot start a yolov8 model", e3.Message);
        var pt = Path.Combine(_data.Root, "yolov8n-bad.pt");
        using (var source = YoloModel.Build("yolov8n", 5))
            torch.save(UltralyticsPickle.Checkpoint(source, "yolov8n.yaml", "n", ["a", "b", "c", "d", "e"], asEma: false), pt);
        var e4 = Assert.Throws<ArgumentException>(() => Build(detr, pt));
        Assert.Contains("an ultralytics yolov8n checkpoint cannot start a detr model", e4.Message);
        var e5 = Assert.Throws<ArgumentException>(() => Build(Yolo(_data.Root, "yolov10"), pt));
        Assert.Contains("--model yolov8", e5.Message);

        // a DETR state dict (official layout) into DINO: at most the ResNet fits
        var detrPth = Path.Combine(_data.Root, "detr-official.pth");
        using (var det = DetectorFactory.Build(detr, 5))
            torch.save(new Dictionary<string, object?> { ["model"] = det.Module.state_dict() }, detrPth);
        var e6 = Assert.Throws<ArgumentException>(() => Build(DinoTrainingTests.TinyDino(_data.Root), detrPth));
        Assert.Contains("detr-official.pth", e6.Message);
        output.WriteLine(string.Join("\n", new Exception[] { e1, e2, e3, e4, e5, e6 }.Select(e => e.Message)));
    }
}
