using DetrSharp.Detection.Detr;
using DetrSharp.Detection.Matching;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>
/// The mmdetection HungarianAssigner (seed 004) reached from the configuration: <c>model.matcher = mmdet</c> builds
/// DETR's criterion on it, and a short run with it lowers the loss.
/// </summary>
[Collection(SerialTraining.Name)]
public class MmdetMatcherTrainingTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    public MmdetMatcherTrainingTests(TinyData data) => _data = data;

    [Fact]
    public void TrainingWithTheMmdetAssignerLowersTheLoss()
    {
        var cfg = TinyData.With(TinyData.Config(_data.Root), ("model.matcher", "mmdet"), ("schedule.epochs", 30), ("schedule.max_steps", 100));
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, cfg);
        using var det = DetectorFactory.Build(cfg, data.ClassNames.Count);
        Assert.IsType<MmdetSetMatcher>(((DetrDetector)det).Criterion.Matcher);
        using var trainer = new Trainer(det, data, cfg, Path.Combine(_data.Root, "mmdet"));
        trainer.Run();
        var curve = trainer.LossCurve.Select(p => p.loss).ToArray();
        double first = curve.Take(10).Average(), last = curve.TakeLast(10).Average();
        Assert.True(last < 0.85 * first, $"loss did not fall with the mmdet matcher: first 10 steps {first:F3}, last 10 {last:F3}");
    }
}
