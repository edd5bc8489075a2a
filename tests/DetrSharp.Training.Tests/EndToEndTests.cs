using DetrSharp.Torch;
using DetrSharp.Training;
using DetrSharp.Detection.Families;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>A short training run on synthetic shapes: the loss falls and objects are found.</summary>
[Collection(SerialTraining.Name)]
public class EndToEndTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    public EndToEndTests(TinyData data) => _data = data;

    [Fact]
    public void LossFallsAndObjectsAreFound()
    {
        var cfg = TinyData.With(TinyData.Config(_data.Root), ("schedule.epochs", 60), ("runtime.log_every", 10));
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, cfg);
        using var det = DetectorFactory.Build(cfg, data.ClassNames.Count);
        var dir = Path.Combine(_data.Root, "e2e");
        using var trainer = new Trainer(det, data, cfg, dir);
        var result = trainer.Run();
        var curve = trainer.LossCurve.Select(p => p.loss).ToArray();
        double first = curve.Take(10).Average(), last = curve.TakeLast(10).Average();
        Assert.True(last < 0.8 * first, $"loss did not fall: first 10 steps {first:F3}, last 10 {last:F3}");
        Assert.NotNull(result);
        Assert.InRange(result!.AP50, 0, 1);
        // objects are found: on the images it trained on (DETR needs far longer than a test to generalise)
        var onTrain = DetectionEvaluator.Evaluate(det, new DetrSharp.Data.Loading.DataLoader(data.Train,
            DetrSharp.Data.Transforms.DetrTransforms.Val(cfg.Data.ValSize, cfg.Data.MaxSize), new() { BatchSize = 4, Shuffle = false }),
            DetrSharp.Evaluation.CocoGroundTruth.Load(TrainingData.Locate(_data.Root, "train").annotations));
        Assert.True(onTrain.AP50 > 0.02, $"AP50 on the training images is {onTrain.AP50:F3} (validation {result.AP50:F3})");
        Assert.True(File.Exists(Path.Combine(dir, "eval.json")));
    }

    [Fact]
    public void NonFiniteLossStopsTheRunNamingStepAndTerm()
    {
        var values = new Dictionary<string, double> { ["loss_ce"] = 1.0, ["loss_bbox"] = double.NaN };
        var weights = new Dictionary<string, double> { ["loss_ce"] = 1, ["loss_bbox"] = 5 };
        var e = Assert.Throws<NonFiniteLossException>(() => WeightedLoss.CheckFinite(17, values, weights));
        Assert.Equal(17, e.Step);
        Assert.Equal("loss_bbox", e.Term);
        Assert.Contains("step 17", e.Message);
    }
}
