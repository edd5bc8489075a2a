using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>
/// YOLOv8n and YOLOv10n through the family contract and the one training step: selected by model.name with their
/// recipe, trained on the tiny synthetic set, the loss falls and validation AP50 ends above the untrained model's.
/// </summary>
[Collection(SerialTraining.Name)]
public class YoloTrainingTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    public YoloTrainingTests(TinyData data) => _data = data;

    [Theory]
    [InlineData("yolov8")]
    [InlineData("yolov10")]
    public void LossFallsAndValidationBeatsTheUntrainedModel(string family)
    {
        var tiny = TinyData.Config(_data.Root);
        var cfg = tiny.With([("model.name", family)]) with { Data = tiny.Data, Runtime = tiny.Runtime };
        cfg = TinyData.With(cfg, ("schedule.epochs", 40), ("schedule.max_steps", 120), ("schedule.warmup_steps", 10),
            ("schedule.time_limit_minutes", 0), ("eval.every", 0), ("optim.lr", 0.004));
        Assert.IsAssignableFrom<YoloFamilyConfig>(cfg.Model);
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, cfg);
        using var det = DetectorFactory.Build(cfg, data.ClassNames.Count);
        Assert.Equal(family, det.Family);
        double untrained = DetectionEvaluator.Evaluate(det, data.ValLoader, data.ValGroundTruth).AP50;
        using var trainer = new Trainer(det, data, cfg, Path.Combine(_data.Root, family));
        var result = trainer.Run();
        var curve = trainer.LossCurve.Select(p => p.loss).ToArray();
        double first = curve.Take(10).Average(), last = curve.TakeLast(10).Average();
        Assert.True(last < 0.7 * first, $"{family}: loss did not fall: first 10 steps {first:F3}, last 10 {last:F3}");
        Assert.NotNull(result);
        Assert.True(result!.AP50 > untrained + 0.05, $"{family}: validation AP50 {result.AP50:F3} vs {untrained:F3} untrained");
    }
}
