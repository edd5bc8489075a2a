using DetrSharp.Detection.Families;
using DetrSharp.Detection.Yolo;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>
/// YOLO's predictions come back in the stored image's pixels through the target's one mapping: with a letterbox
/// content region the padding offset is taken off before scaling (the same model output, two placements).
/// </summary>
[Collection(GlobalGenerator.Collection)]
public class YoloLetterboxMappingTests
{
    [Theory]
    [InlineData("yolov8")]
    [InlineData("yolov10")]
    public void LetterboxOffsetsAreUndoneBeforeScaling(string family)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var f = (YoloFamily)DetectorRegistry.Get(family);
        var config = (YoloFamilyConfig)f.Defaults with { NumClasses = 2 };
        using var det = f.Build(config, new DetectorBuildOptions());
        det.Module.eval();
        var images = torch.randn(1, 3, 256, 256);
        var mask = torch.zeros([1, 256, 256], ScalarType.Bool);
        DetectionBatch Batch((int, int, int, int)? content) => new()
        {
            Samples = new NestedTensor(images.alias(), mask.alias()),
            Targets = [new DetectionTarget(torch.zeros([0], ScalarType.Int64), torch.zeros(0, 4))
            {
                // a 2000 × 800 image letterboxed to 256: 256 × 102 at top 77; without the region, 256 × 256 → 2000 × 800
                ImageId = 1, OriginalSize = (800, 2000), Size = (256, 256), Content = content,
            }],
        };
        using var plain = Batch(null);
        using var boxed = Batch((0, 77, 256, 102));
        var a = det.Predict(plain, 0f)[0];
        var b = det.Predict(boxed, 0f)[0];
        Assert.Equal(a.Scores, b.Scores);
        Assert.Equal(a.Labels, b.Labels);
        Assert.NotEmpty(a.Scores);
        int compared = 0;
        for (int i = 0; i < a.BoxesXyxy.Length; i++)
        {
            bool x = i % 2 == 0;
            float raw = a.BoxesXyxy[i] / (x ? 2000f / 256 : 800f / 256);          // back to letterboxed pixels
            if (a.BoxesXyxy[i] <= 0 || raw >= 256) continue;                   // clipped in the plain mapping
            float expected = x ? raw * (2000f / 256) : (raw - 77) * (800f / 102);
            expected = Math.Clamp(expected, 0, x ? 2000 : 800);
            Assert.Equal(expected, b.BoxesXyxy[i], 1);
            compared++;
        }
        Assert.True(compared > 10, $"only {compared} coordinates compared");
    }
}
