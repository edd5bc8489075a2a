using DetrSharp.Detection.Dino;
using DetrSharp.Export.Dino;
using DetrSharp.Torch;

namespace DetrSharp.Onnx.Tests;

/// <summary>
/// The exported DINO (<see cref="TinyDino"/>) run through ONNX Runtime against the libtorch model it came from, on the
/// synthetic validation images: pred_logits and pred_boxes within 1e-4 absolute; the graph's post-processing (top-k over
/// queries × classes) and OnnxDetector's detections the same set as DinoPostProcess and the libtorch predictor's (labels,
/// scores within 1e-4, boxes within 1e-4 of the normalised coordinate, i.e. 64 · 1e-4 px); opsets 16 to 18 load, and an
/// opset without GridSample is refused in words.
/// </summary>
public class DinoOnnxParityTests(DinoOnnxParityTests.Model fixture) : IClassFixture<DinoOnnxParityTests.Model>
{
    const float Tolerance = 1e-4f;

    /// <summary>One <see cref="TinyDino"/> (seed 7) for the class's tests: building and calibrating it is most of their time.</summary>
    public sealed class Model : IDisposable
    {
        public DinoDetector Detector { get; } = TinyDino.Build(seed: 7);
        public void Dispose() => Detector.Dispose();
    }

    DinoDetector Detector => fixture.Detector;

    [Theory]
    [InlineData(16, true)]
    [InlineData(17, false)]
    [InlineData(18, true)]
    public void OutputsMatchLibtorch(int opset, bool dynamicBatch)
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        var detector = Detector;
        var images = TinyDino.Images(dynamicBatch ? 3 : 1);
        using var onnx = OnnxDetector.Load(TinyDino.Export(detector.Model, TinyDino.Options(opset, dynamicBatch), folder.Path));
        Assert.Equal(dynamicBatch, onnx.DynamicBatch);
        var outputs = onnx.Run(TinyDino.Input(images), images.Length);

        using var noGrad = torch.no_grad();
        using var batch = TinyDino.Batch(images);
        using var output = detector.Model.forward(batch.Samples);
        var (logits, logitShape) = outputs["pred_logits"];
        var (boxes, boxShape) = outputs["pred_boxes"];
        Assert.Equal(output.PredLogits.shape.Select(d => (int)d), logitShape);
        Assert.Equal(output.PredBoxes.shape.Select(d => (int)d), boxShape);
        AssertClose(output.PredLogits.contiguous().data<float>(), logits, "pred_logits");
        AssertClose(output.PredBoxes.contiguous().data<float>(), boxes, "pred_boxes");

        // DINO's PostProcess in the graph, normalised (target size 1 × 1)
        var ones = torch.ones(new long[] { images.Length, 2 });
        var expected = DinoPostProcess.Process(output, ones, TinyDino.Config.NumSelect);
        for (int b = 0; b < images.Length; b++)
        {
            int per = outputs["scores"].Shape[1];
            AssertSameSet(expected[b].Scores.contiguous().data<float>(), expected[b].Labels.contiguous().data<long>().Select(l => (int)l).ToArray(),
                expected[b].Boxes.contiguous().data<float>(), outputs["scores"].Values.AsSpan(b * per, per).ToArray(),
                outputs["labels"].Values.AsSpan(b * per, per).ToArray().Select(l => (int)l).ToArray(), outputs["boxes"].Values.AsSpan(4 * b * per, 4 * per).ToArray(), 1f);
            expected[b].Dispose();
        }
    }

    /// <summary>
    /// At 416 px the first level is 52 cells wide, so its border cells' anchors leave (0.01, 0.99): their proposals are
    /// +inf and their memory zeroed before the encoder heads (the graph's constant mask), as libtorch does.
    /// </summary>
    [Fact]
    public void InvalidProposalsAreMaskedAsLibtorchDoes()
    {
        const int size = 416;
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        Assert.NotNull(DinoExportConstants.Compute(Detector.Model, size, size).Valid);   // the case under test exists
        var image = DetrSharp.Data.Synthetic.SyntheticShapes.RenderScene(size, DetrSharp.Data.Synthetic.SyntheticShapes.ImageSeed(42, "val", 0)).Image;
        using var onnx = OnnxDetector.Load(TinyDino.Export(Detector.Model, TinyDino.Options(17, dynamicBatch: false) with { ImageSize = (size, size) }, folder.Path));
        var input = new float[3 * size * size];
        StretchResize.Fill(image, size, size, input);
        var outputs = onnx.Run(input, 1);
        using var noGrad = torch.no_grad();
        using var batch = TinyDino.Batch([image]);
        using var output = Detector.Model.forward(batch.Samples);
        AssertClose(output.PredLogits.contiguous().data<float>(), outputs["pred_logits"].Values, "pred_logits (416 px)");
        AssertClose(output.PredBoxes.contiguous().data<float>(), outputs["pred_boxes"].Values, "pred_boxes (416 px)");
    }

    [Fact]
    public void DetectionsMatchTheLibtorchPredictor()
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        var detector = Detector;
        var images = TinyDino.Images(4);
        using var onnx = OnnxDetector.Load(TinyDino.Export(detector.Model, TinyDino.Options(17), folder.Path));
        var fromOnnx = onnx.Detect(images, 0.05f);
        using var batch = TinyDino.Batch(images);
        var fromTorch = detector.Predict(batch, 0.05f);
        Assert.Equal(images.Length, fromOnnx.Count);
        for (int i = 0; i < images.Length; i++)
        {
            var o = fromOnnx[i];
            Assert.All(o, d => Assert.Equal(DetrSharp.Data.Synthetic.SyntheticShapes.ClassNames[d.Label], d.ClassName));
            AssertSameSet(fromTorch[i].Scores, fromTorch[i].Labels, fromTorch[i].BoxesXyxy,
                o.Select(d => d.Score).ToArray(), o.Select(d => d.Label).ToArray(), o.SelectMany(d => new[] { d.X1, d.Y1, d.X2, d.Y2 }).ToArray(), TinyDino.Size);
        }
        Assert.True(fromOnnx.Sum(d => d.Count) > 0, "no detections to compare: the test would prove nothing");
    }

    [Theory]
    [InlineData(13)]
    [InlineData(15)]
    public void AnOpsetWithoutGridSampleIsRefused(int opset)
    {
        var e = Assert.Throws<NotSupportedException>(() => DinoOnnxExporter.Export(Detector.Model, TinyDino.Options(opset)));
        Assert.Contains("GridSample", e.Message);
        Assert.Contains("opset 16", e.Message);
    }

    static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = Math.Abs(expected[i] - actual[i]);
            if (!(d <= worst)) { worst = d; at = i; }
        }
        Console.WriteLine($"DINO {what}: max |libtorch - onnx| {worst:E2}");
        Assert.True(worst <= Tolerance, $"{what}: |libtorch - onnx| = {worst} at {at}");
        Assert.Contains(expected, v => Math.Abs(v) > 0.01f);   // real values compared, not zeros
    }

    /// <summary>
    /// The same detections of one image in any order (near-equal scores may swap places): each libtorch row has an ONNX
    /// partner with its label, its score within 1e-4 and its box within 1e-4 × <paramref name="scale"/>, and the counts agree.
    /// </summary>
    static void AssertSameSet(float[] tScores, int[] tLabels, float[] tBoxes, float[] oScores, int[] oLabels, float[] oBoxes, float scale)
    {
        Assert.Equal(tScores.Length, oScores.Length);
        var used = new bool[oScores.Length];
        for (int i = 0; i < tScores.Length; i++)
        {
            int match = Enumerable.Range(0, oScores.Length).FirstOrDefault(j => !used[j] && oLabels[j] == tLabels[i] && Math.Abs(oScores[j] - tScores[i]) <= Tolerance
                && Enumerable.Range(0, 4).All(k => Math.Abs(oBoxes[4 * j + k] - tBoxes[4 * i + k]) <= Tolerance * scale), -1);
            Assert.True(match >= 0, $"libtorch's detection (label {tLabels[i]}, score {tScores[i]}, box {string.Join(", ", tBoxes.AsSpan(4 * i, 4).ToArray())}) has no ONNX partner");
            used[match] = true;
        }
    }
}
