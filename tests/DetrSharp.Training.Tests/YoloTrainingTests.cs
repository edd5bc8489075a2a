using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;
using Xunit;
using Xunit.Abstractions;

namespace DetrSharp.Training.Tests;

/// <summary>
/// YOLOv8n and YOLOv10n through the family contract and the one training step: selected by model.name with their
/// recipe, trained on the tiny synthetic set: the loss falls (v10's by less: its one-to-one branch, one positive per
/// object, falls slower), validation AP50 ends above the untrained model's and the objects are found on the training images.
/// </summary>
[Collection(SerialTraining.Name)]
public class YoloTrainingTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    readonly ITestOutputHelper output;
    public YoloTrainingTests(TinyData data, ITestOutputHelper output)
    {
        _data = data;
        this.output = output;
    }

    [Theory]
    [InlineData("yolov8")]
    [InlineData("yolov10")]
    public void LossFallsAndValidationBeatsTheUntrainedModel(string family)
    {
        var tiny = TinyData.Config(_data.Root);
        var cfg = tiny.With([("model.name", family)]) with { Data = tiny.Data, Runtime = tiny.Runtime };
        cfg = TinyData.With(cfg, ("schedule.epochs", 60), ("schedule.max_steps", 160), ("schedule.warmup_steps", 10),
            ("schedule.time_limit_minutes", 0), ("eval.every", 0), ("optim.lr", 0.004),
            // the recipe scaled to 160 steps of the tiny set (4 batches of 4 an epoch): the lr this test is set at
            // (auto would fit its own) with the bias warm-up auto gives AdamW, and no accumulation (a nominal batch of
            // 64 would leave 10 optimizer steps)
            ("optim.optimizer", "adamw"), ("schedule.warmup_bias_lr", 0), ("optim.nominal_batch_size", 4));
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
        Assert.NotNull(result);
        // 8 validation images are too few for a margin: above the untrained model's there, and objects found on the
        // images it trained on
        var onTrain = DetectionEvaluator.Evaluate(det, new DetrSharp.Data.Loading.DataLoader(data.Train,
            DetrSharp.Data.Transforms.DetrTransforms.Val(cfg.Data.ValSize, cfg.Data.MaxSize), new() { BatchSize = 4, Shuffle = false }),
            DetrSharp.Evaluation.CocoGroundTruth.Load(TrainingData.Locate(_data.Root, "train").annotations));
        output.WriteLine($"{family}: loss {first:F2} -> {last:F2}; AP50 val {result!.AP50:F3} (untrained {untrained:F3}), train {onTrain.AP50:F3}");
        Assert.True(last < (family == "yolov10" ? 0.85 : 0.7) * first, $"{family}: loss did not fall: first 10 steps {first:F3}, last 10 {last:F3}");
        Assert.True(result.AP50 > untrained, $"{family}: validation AP50 {result.AP50:F3} vs {untrained:F3} untrained");
        Assert.True(onTrain.AP50 > 0.3, $"{family}: AP50 on the training images is {onTrain.AP50:F3}");
    }
}
