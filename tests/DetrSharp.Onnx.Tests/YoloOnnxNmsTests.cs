using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;

namespace DetrSharp.Onnx.Tests;

/// <summary>
/// `export --nms`: ONNX's NonMaxSuppression in the graph selects, from the same decoded output "output0" of the same run,
/// the detections the project's NMS selects: <see cref="PlainNms"/> (the ONNX engine's) and the Detection layer's
/// <see cref="YoloNms"/> (libtorch's predictor) — the same rows (label, score, box) per image, class-aware and agnostic,
/// with the max_det cap; <see cref="OnnxDetector"/> gives the same detections from either variant of the export.
/// </summary>
public class YoloOnnxNmsTests
{
    [Theory]
    [InlineData(false, 0.001, 0.7, 300, true)]
    [InlineData(false, 0.005, 0.3, 300, false)]
    [InlineData(true, 0.001, 0.7, 300, true)]
    [InlineData(false, 0.001, 0.7, 7, true)]    // the per-image cap: many more rows survive NMS than are kept
    public void InGraphNmsSelectsWhatTheProjectsNmsSelects(bool agnostic, double conf, double iou, int maxDet, bool dynamicBatch)
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        using var model = TinyYolo.Build("yolov8n", seed: 13);
        var images = TinyYolo.Images(dynamicBatch ? 4 : 1);
        var options = TinyYolo.Options(conf: conf, dynamicBatch: dynamicBatch) with { Nms = true, IouThreshold = iou, MaxDet = maxDet, Agnostic = agnostic };
        using var onnx = OnnxDetector.Load(TinyYolo.Export(model, options, folder.Path));
        Assert.True(onnx.NmsInGraph);
        var outputs = onnx.Run(TinyYolo.Input(images), images.Length);
        var (decoded, shape) = outputs["output0"];                     // [B, 4 + nc, A]
        var (detections, dShape) = outputs["detections"];              // [N, 7]
        Assert.Equal(GraphNmsRows.Columns, dShape[1]);

        using var torchDecoded = torch.tensor(decoded, shape.Select(d => (long)d).ToArray());
        var fromTorch = YoloNms.Apply(torchDecoded, new NmsOptions { ConfThres = conf, IouThres = iou, MaxDet = maxDet, Agnostic = agnostic });
        int per = shape[1] * shape[2], candidates = 0, kept = 0, capped = 0;
        for (int i = 0; i < images.Length; i++)
        {
            var graph = GraphNmsRows.Image(detections, i, maxDet);
            var plain = PlainNms.Apply(decoded.AsSpan(i * per, per), shape[2], shape[1] - 4, (float)conf, (float)iou, maxDet, agnostic);
            var t = fromTorch[i].contiguous().data<float>();           // [k, 6]: x1, y1, x2, y2, score, class
            var torchRows = Enumerable.Range(0, t.Length / 6).Select(r => (t[6 * r], t[6 * r + 1], t[6 * r + 2], t[6 * r + 3], t[6 * r + 4], (int)t[6 * r + 5])).ToList();
            AssertSameRows(plain, graph, $"image {i}: PlainNms / graph");
            AssertSameRows(torchRows, graph, $"image {i}: YoloNms / graph");
            candidates += Candidates(decoded.AsSpan(i * per, per), shape[2], shape[1] - 4, (float)conf);
            kept += graph.Count;
            if (GraphNmsRows.Image(detections, i, int.MaxValue).Count > maxDet) capped++;
        }
        // the suppression had work to do: candidates above the threshold were removed; the cap too where it is small
        Assert.True(kept > 0 && kept < candidates, $"{kept} of {candidates} candidates kept: NMS would not be tested");
        if (maxDet < 300) Assert.True(capped > 0, $"no image has more than {maxDet} detections: the cap would not be tested");
    }

    [Fact]
    public void TheDetectorGivesTheSameDetectionsFromBothExports()
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        using var model = TinyYolo.Build("yolov8n", seed: 17);
        var images = TinyYolo.Images(3);
        using var plain = OnnxDetector.Load(TinyYolo.Export(model, TinyYolo.Options(conf: 0.005), folder.Path));
        using var graph = OnnxDetector.Load(TinyYolo.Export(model, TinyYolo.Options(conf: 0.005) with { Nms = true }, folder.Path));
        Assert.False(plain.NmsInGraph);
        var a = plain.Detect(images);
        var b = graph.Detect(images);
        for (int i = 0; i < images.Length; i++)
        {
            Assert.Equal(a[i].Count, b[i].Count);
            AssertSameRows(a[i].Select(d => (d.X1, d.Y1, d.X2, d.Y2, d.Score, d.Label)).ToList(), b[i].Select(d => (d.X1, d.Y1, d.X2, d.Y2, d.Score, d.Label)).ToList(), $"image {i}");
            Assert.Equal(a[i].Select(d => d.ClassName), b[i].Select(d => d.ClassName));
        }
        Assert.True(a.Sum(d => d.Count) > 0, "no detections to compare");
    }

    [Fact]
    public void YoloV10RefusesTheNmsOption()
    {
        using var folder = new TempFolder();
        using var model = TinyYolo.Build("yolov10n", seed: 1);
        var e = Assert.Throws<ArgumentException>(() => TinyYolo.Export(model, TinyYolo.Options() with { Nms = true }, folder.Path));
        Assert.Contains("YOLOv10", e.Message);
    }

    static int Candidates(ReadOnlySpan<float> output, int anchors, int nc, float conf)
    {
        int n = 0;
        for (int a = 0; a < anchors; a++)
        {
            float best = output[4 * anchors + a];
            for (int c = 1; c < nc; c++) best = Math.Max(best, output[(4 + c) * anchors + a]);
            if (best > conf) n++;
        }
        return n;
    }

    /// <summary>The same rows in the same order (score descending): labels and scores equal (the same floats of the
    /// same output), boxes within 1e-4 px (the corners of the same centre and size).</summary>
    static void AssertSameRows(IReadOnlyList<(float X1, float Y1, float X2, float Y2, float Score, int Label)> expected,
        IReadOnlyList<(float X1, float Y1, float X2, float Y2, float Score, int Label)> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {expected.Count} rows against {actual.Count}");
        for (int r = 0; r < expected.Count; r++)
        {
            var (e, a) = (expected[r], actual[r]);
            Assert.True(e.Label == a.Label && e.Score == a.Score, $"{what}, row {r}: label {e.Label} score {e.Score} against label {a.Label} score {a.Score}");
            float worst = new[] { e.X1 - a.X1, e.Y1 - a.Y1, e.X2 - a.X2, e.Y2 - a.Y2 }.Max(Math.Abs);
            Assert.True(worst <= 1e-4f, $"{what}, row {r}: boxes {worst} px apart");
        }
    }
}
