using DetrSharp.Detection.Detr;
using DetrSharp.Detection.Models;
using DetrSharp.Export.Graph;
using DetrSharp.Torch;

namespace DetrSharp.Onnx.Tests;

/// <summary>
/// Exported DETR models run through ONNX Runtime against the libtorch model they came from, on the synthetic validation
/// images: the raw pred_logits and pred_boxes within 1e-4 absolute (BatchNorm and FrozenBatchNorm bodies folded, 2, 3 and
/// 4 stages, BasicBlock and Bottleneck, post-norm and pre-norm), every opset, and the detections of OnnxDetector against
/// DetrDetector.Predict (top-k and per-query post-processing, fixed and dynamic batch).
/// </summary>
public class DetrOnnxParityTests
{
    const float Tolerance = 1e-4f;

    public static TheoryData<string, ResNetNorm, int, bool> Architectures => new()
    {
        { "resnet18", ResNetNorm.BatchNorm, 3, false },   // the project's default DETR body, scaled down
        { "resnet18", ResNetNorm.Frozen, 4, true },
        { "resnet50", ResNetNorm.Frozen, 2, false },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void RawOutputsMatchLibtorch(string backbone, ResNetNorm norm, int stages, bool preNorm)
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        var config = TinyDetr.Config(backbone, norm, stages, preNorm);
        using var detector = TinyDetr.Build(config, seed: 7);
        var images = TinyDetr.Images(3);
        using var onnx = OnnxDetector.Load(TinyDetr.Export(detector, config, TinyDetr.Options(), folder.Path));
        Assert.Equal("detr", onnx.Family);
        var outputs = onnx.Run(TinyDetr.Input(images), images.Length);

        using var batch = TinyDetr.Batch(images);
        using var noGrad = torch.no_grad();
        using var expected = detector.Model.forward(batch.Samples);
        AssertClose(expected.PredLogits, outputs["pred_logits"], "pred_logits");
        AssertClose(expected.PredBoxes, outputs["pred_boxes"], "pred_boxes");
    }

    [Fact]
    public void EveryOpsetLoadsAndMatchesLibtorch()
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        var config = TinyDetr.Config();
        using var detector = TinyDetr.Build(config, seed: 3);
        var images = TinyDetr.Images(1);
        using var batch = TinyDetr.Batch(images);
        using var noGrad = torch.no_grad();
        using var expected = detector.Model.forward(batch.Samples);
        foreach (int opset in OnnxOpsets.Supported)
        {
            using var onnx = OnnxDetector.Load(TinyDetr.Export(detector, config, TinyDetr.Options(opset, dynamicBatch: opset % 2 == 0), folder.Path));
            Assert.Equal(opset % 2 == 0, onnx.DynamicBatch);
            var outputs = onnx.Run(TinyDetr.Input(images), 1);
            AssertClose(expected.PredLogits, outputs["pred_logits"], $"opset {opset} pred_logits");
            AssertClose(expected.PredBoxes, outputs["pred_boxes"], $"opset {opset} pred_boxes");
        }
    }

    [Theory]
    [InlineData(20, true)]
    [InlineData(20, false)]
    [InlineData(0, true)]
    public void DetectionsMatchTheLibtorchPredictor(int topK, bool dynamicBatch)
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        var config = TinyDetr.Config(topK: topK);
        using var detector = TinyDetr.Build(config, seed: 11);
        var images = TinyDetr.Images(4);
        using var onnx = OnnxDetector.Load(TinyDetr.Export(detector, config, TinyDetr.Options(dynamicBatch: dynamicBatch), folder.Path));
        Assert.Equal(dynamicBatch, onnx.DynamicBatch);
        var fromOnnx = onnx.Detect(images);
        using var batch = TinyDetr.Batch(images);
        var fromTorch = detector.Predict(batch);

        Assert.Equal(images.Length, fromOnnx.Count);
        for (int i = 0; i < images.Length; i++)
        {
            var t = fromTorch[i];
            var o = fromOnnx[i];
            Assert.Equal(topK > 0 ? topK : config.NumQueries, o.Count);
            Assert.Equal(t.Scores.Length, o.Count);
            Assert.All(o, d => Assert.Equal(DetrSharp.Data.Synthetic.SyntheticShapes.ClassNames[d.Label], d.ClassName));
            // per query: the same order; top-k: the same set, the pairs at the cut-off allowed to swap if their scores tie within the tolerance
            float cut = topK > 0 ? t.Scores.Min() + Tolerance : float.NegativeInfinity;
            for (int j = 0; j < t.Scores.Length; j++)
            {
                if (t.Scores[j] < cut) continue;
                var box = t.BoxesXyxy.AsSpan(4 * j, 4).ToArray();
                var partner = topK > 0
                    ? o.FirstOrDefault(d => d.Label == t.Labels[j] && Math.Abs(d.Score - t.Scores[j]) <= Tolerance && SameBox(d, box))
                    : o[j];
                Assert.True(partner.ClassName != null && partner.Label == t.Labels[j] && Math.Abs(partner.Score - t.Scores[j]) <= Tolerance && SameBox(partner, box),
                    $"image {i}: libtorch's detection {j} (label {t.Labels[j]}, score {t.Scores[j]}, box {string.Join(", ", box)}) has no ONNX partner");
            }
        }
    }

    [Fact]
    public void TheModelSaysHowToFeedIt()
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        var config = TinyDetr.Config(topK: 0);
        using var detector = TinyDetr.Build(config, seed: 1);
        using var onnx = OnnxDetector.Load(TinyDetr.Export(detector, config, TinyDetr.Options(), folder.Path));
        Assert.Equal(("detr", OnnxResize.Stretch, "images", TinyDetr.Size, TinyDetr.Size), (onnx.Family, onnx.Resize, onnx.InputName, onnx.InputHeight, onnx.InputWidth));
        Assert.Equal(DetrSharp.Data.Synthetic.SyntheticShapes.ClassNames, onnx.ClassNames);
        Assert.Equal((int)config.NumQueries, onnx.MaxDet);   // per-query post-processing: one detection per query
    }

    [Fact]
    public void ExportRefusesAnchorBoxQueries()
    {
        using var scope = torch.NewDisposeScope();
        var config = TinyDetr.Config() with { AnchorBoxes = true };
        using var detector = (DetrDetector)DetrFamily.Instance.Build(config, new DetrSharp.Detection.Families.DetectorBuildOptions());
        var e = Assert.Throws<NotSupportedException>(() => DetrSharp.Export.Detr.DetrOnnxExporter.Export(detector.Model, TinyDetr.Options(), config.TopkDetections));
        Assert.Contains("anchor-box queries", e.Message);
    }

    // boxes in image pixels: 1e-4 of the normalised box times the 64 px image
    static bool SameBox(OnnxDetection d, float[] box)
    {
        const float px = Tolerance * TinyDetr.Size;
        return Math.Abs(d.X1 - box[0]) <= px && Math.Abs(d.Y1 - box[1]) <= px && Math.Abs(d.X2 - box[2]) <= px && Math.Abs(d.Y2 - box[3]) <= px;
    }

    static void AssertClose(Tensor expected, (float[] Values, int[] Shape) actual, string what)
    {
        Assert.Equal(expected.shape.Select(d => (int)d), actual.Shape);
        var e = expected.contiguous().data<float>();
        float worst = 0;
        int at = -1;
        for (int i = 0; i < e.Length; i++)
        {
            float d = Math.Abs(e[i] - actual.Values[i]);
            if (!(d <= worst)) { worst = d; at = i; }
        }
        Console.WriteLine($"{what}: max |libtorch - onnx| {worst:E2} (values up to {e.Max(Math.Abs):F3})");
        Assert.True(worst <= Tolerance, $"{what}: |libtorch - onnx| = {worst} at {at}");
        Assert.Contains(e, v => Math.Abs(v) > 0.01f);   // real values compared, not zeros
    }
}
