using DetrSharp.Data.Synthetic;
using DetrSharp.Torch;
using DetrSharp.Training;
using DetrSharp.Detection.Families;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>
/// The short run that generalises: 512 synthetic 96 px images with one shape each, the tiny DETR of
/// <see cref="TinyData"/> with the default losses and matcher, 1,200 steps (about two minutes on one core). The AP50
/// it reaches on the unseen validation split (about 0.09 when written) must be well above the untrained model's.
/// </summary>
[Collection(SerialTraining.Name)]
public sealed class GeneralisationTests : IDisposable
{
    const int Size = 96, Steps = 1200; // TinyData.Config's scales, crops and sizes are for 96 px images
    readonly string _root = Path.Combine(Path.GetTempPath(), "detrsharp-gen-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void ValidationAp50IsWellAboveZero()
    {
        SyntheticShapes.Generate(_root, new SyntheticShapesOptions { TrainImages = 512, ValImages = 64, ImageSize = Size, Seed = 11, MaxObjects = 1 });
        var cfg = TinyData.With(TinyData.Config(_root),
            ("schedule.epochs", 1000), ("schedule.max_steps", Steps), ("data.batch_size", 8), ("schedule.warmup_steps", 20), ("runtime.log_every", 50));
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_root, cfg);
        using var det = DetectorFactory.Build(cfg, data.ClassNames.Count);
        using var trainer = new Trainer(det, data, cfg, Path.Combine(_root, "run"));
        double untrained = DetectionEvaluator.Evaluate(det, data.ValLoader, data.ValGroundTruth).AP50;

        var result = trainer.Run();

        Assert.NotNull(result);
        Assert.True(untrained < 0.01, $"the untrained model already scores AP50 {untrained:F3}");
        Assert.True(result!.AP50 > 0.05, $"validation AP50 after {Steps} steps is {result.AP50:F3} (untrained {untrained:F3})");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
