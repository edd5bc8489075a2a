using DetrSharp.Data.Loading;
using DetrSharp.Data.Transforms;
using DetrSharp.Detection.Boxes;
using DetrSharp.Detection.Yolo;
using DetrSharp.Export.Graph;
using DetrSharp.Torch;

namespace DetrSharp.Onnx.Tests;

/// <summary>
/// The exported YOLOv8n / YOLOv10n run through ONNX Runtime against the libtorch model they came from, on the synthetic
/// validation images: the head's maps and the decoded outputs (ONNX Runtime's float32 error against the float64 model no
/// larger than libtorch's own float32 error, class probabilities within 1e-4 of libtorch's), YOLOv10's top-k and both
/// families' detections (the same set: labels, scores within 1e-4, boxes within 1e-3 px + 1e-4 of the coordinate).
/// </summary>
public class YoloOnnxParityTests
{
    const float Tolerance = 1e-4f;
    /// <summary>Boxes: 1e-3 px plus 1e-4 of the coordinate. The untrained heads' spread DFL distributions put boxes hundreds
    /// of pixels out, where float32 rounding alone (libtorch's own, against the float64 model) reaches ~3e-3 px and the two
    /// engines differ by up to ~1e-2 px.</summary>
    static float BoxTolerance(float coordinate) => 1e-3f + 1e-4f * Math.Abs(coordinate);

    [Theory]
    [InlineData("yolov8n")]
    [InlineData("yolov10n")]
    public void DecodedOutputsMatchLibtorch(string name)
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        using var model = TinyYolo.Build(name, seed: 5);
        var images = TinyYolo.Images(3);
        var input = TinyYolo.Input(images);
        using var onnx = OnnxDetector.Load(TinyYolo.Export(model, TinyYolo.Options() with { RawOutputs = true }, folder.Path));
        var outputs = onnx.Run(input, images.Length);

        using var noGrad = torch.no_grad();
        var x = torch.tensor(input, new long[] { images.Length, 3, TinyYolo.Size, TinyYolo.Size });
        var (raw32, decoded32) = Forward(model, x);
        var (values, shape) = outputs["output0"];
        Assert.Equal(decoded32.shape.Select(d => (int)d), shape);
        var rawOnnx = outputs["raw0"].Values;

        // YOLOv10: the graph's top-k against V10PostProcess on libtorch's decoded output
        if (model.IsEndToEnd)
        {
            var (boxes, scores, labels) = V10PostProcess.Select(decoded32.transpose(1, 2), 300, TinyYolo.Classes);
            var xyxy = BoxConvert.CxcywhToXyxy(boxes);
            AssertSameSet(scores.contiguous().data<float>(), labels.contiguous().data<long>(), xyxy.contiguous().data<float>(),
                outputs["scores"].Values, outputs["labels"].Values, outputs["boxes"].Values, images.Length, minScore: 0.001f);
        }
        var probs32 = Rows(decoded32, 4, 4 + TinyYolo.Classes);
        var probsOnnx = Rows(values, shape, 4, 4 + TinyYolo.Classes);
        AssertClose(probs32, probsOnnx, Tolerance, "class probabilities");

        model.to(ScalarType.Float64);
        using var x64 = x.to(ScalarType.Float64);
        var (raw64, decoded64) = Forward(model, x64);
        AssertAsCloseAsLibtorch(raw64, raw32, rawOnnx, "raw0 (head maps)");
        AssertAsCloseAsLibtorch(decoded64, decoded32, values, "output0 (decoded)");
        Assert.Contains(values, v => v > 1f);   // boxes in pixels, not all probabilities: the comparison sees real values
    }

    [Theory]
    [InlineData("yolov8n", 0.01f, true)]
    [InlineData("yolov10n", 0.01f, true)]
    [InlineData("yolov8n", 0.001f, false)]
    [InlineData("yolov10n", 0.001f, false)]
    public void DetectionsMatchTheLibtorchPredictor(string name, float conf, bool dynamicBatch)
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        using var model = TinyYolo.Build(name, seed: 11);
        var images = TinyYolo.Images(4);
        using var onnx = OnnxDetector.Load(TinyYolo.Export(model, TinyYolo.Options(conf: conf, dynamicBatch: dynamicBatch), folder.Path));
        Assert.Equal(dynamicBatch, onnx.DynamicBatch);   // one run of 4 images, or 4 runs of one
        var fromOnnx = onnx.Detect(images);

        YoloFamilyConfig config = model.IsEndToEnd ? new YoloV10Config { ConfThreshold = conf } : new YoloV8Config { ConfThreshold = conf };
        var detector = new YoloDetector(name[..^1], model, config);
        var samples = images.Select((img, i) => new DetectionSample
        {
            Image = img, Boxes = [], Labels = [], Areas = [], ImageId = i, OriginalWidth = img.Width, OriginalHeight = img.Height,
        }).ToArray();
        using var batch = Collate.Make(samples);
        var fromTorch = detector.Predict(batch);

        Assert.Equal(images.Length, fromOnnx.Count);
        for (int i = 0; i < images.Length; i++)
        {
            var t = fromTorch[i];
            var o = fromOnnx[i];
            Assert.All(o, d => Assert.Equal(DetrSharp.Data.Synthetic.SyntheticShapes.ClassNames[d.Label], d.ClassName));
            AssertSameSet(t.Scores, t.Labels.Select(l => (long)l).ToArray(), t.BoxesXyxy,
                o.Select(d => d.Score).ToArray(), o.Select(d => (float)d.Label).ToArray(), o.SelectMany(d => new[] { d.X1, d.Y1, d.X2, d.Y2 }).ToArray(), 1, minScore: 0f);
        }
        Assert.True(fromOnnx.Sum(d => d.Count) > 0, "no detections to compare: the test would prove nothing");
    }

    [Fact]
    public void EveryOpsetLoadsAndGivesTheSameOutputs()
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        using var model = TinyYolo.Build("yolov10n", seed: 3);
        var images = TinyYolo.Images(1);
        var input = TinyYolo.Input(images);
        float[]? reference = null;
        foreach (int opset in OnnxOpsets.Supported)
        {
            using var onnx = OnnxDetector.Load(TinyYolo.Export(model, TinyYolo.Options(opset, dynamicBatch: opset % 2 == 0), folder.Path));
            Assert.Equal(opset % 2 == 0, onnx.DynamicBatch);
            var decoded = onnx.Run(input, 1)["output0"].Values;
            if (reference == null) reference = decoded;
            else Assert.Equal(reference, decoded);   // the same kernels whatever the opset: bit for bit
        }
    }

    // the head maps [B, no, A] and the decoded output [B, 4 + nc, A] of the branch the family predicts with
    internal static (Tensor Raw, Tensor Decoded) Forward(YoloModel model, Tensor x)
    {
        var output = model.forward(x);
        var branch = model.IsEndToEnd ? output.One2One! : output.One2Many;
        var raw = torch.cat(branch.Feats.Select(f => f.view(x.shape[0], model.Head.No, -1)).ToArray(), 2);
        return (raw, branch.Decoded!);
    }

    // rows [from, to) of a [B, rows, A] tensor or array, flattened image by image
    internal static float[] Rows(Tensor t, long from, long to) => t.slice(1, from, to).contiguous().to(ScalarType.Float32).data<float>();

    internal static float[] Rows(float[] values, int[] shape, int from, int to)
    {
        var list = new List<float>();
        for (int b = 0; b < shape[0]; b++)
            for (int r = from; r < to; r++) list.AddRange(values.AsSpan((b * shape[1] + r) * shape[2], shape[2]).ToArray());
        return list.ToArray();
    }

    /// <summary>ONNX Runtime's float32 result is no further from the float64 model than libtorch's float32 result (twice, or 1e-4).</summary>
    static void AssertAsCloseAsLibtorch(Tensor exact, Tensor torch32, float[] onnx, string what)
    {
        var e = exact.contiguous().data<double>();
        var t = torch32.contiguous().data<float>();
        Assert.Equal(e.Length, onnx.Length);
        double torchErr = 0, onnxErr = 0;
        for (int i = 0; i < e.Length; i++)
        {
            torchErr = Math.Max(torchErr, Math.Abs(t[i] - e[i]));
            onnxErr = Math.Max(onnxErr, Math.Abs(onnx[i] - e[i]));
        }
        Console.WriteLine($"{what}: max |libtorch fp32 - fp64| {torchErr:E2}, max |onnx - fp64| {onnxErr:E2}");
        Assert.True(onnxErr <= Math.Max(Tolerance, 2 * torchErr), $"{what}: ONNX Runtime is {onnxErr:E2} from the float64 model, libtorch's float32 {torchErr:E2}");
    }

    internal static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = Math.Abs(expected[i] - actual[i]);
            if (!(d <= worst)) { worst = d; at = i; }
        }
        Console.WriteLine($"{what}: max |libtorch - onnx| {worst:E2} at {at}");
        Assert.True(worst <= tolerance, $"{what}: |libtorch - onnx| = {worst} at {at}");
    }

    /// <summary>
    /// The same detections per image, in any order (near-equal scores may swap places between the engines): each of one
    /// side's rows with score ≥ minScore has a partner on the other with its label, its score within 1e-4 and its box
    /// within <see cref="BoxTolerance"/>.
    /// </summary>
    static void AssertSameSet(float[] tScores, long[] tLabels, float[] tBoxes, float[] oScores, float[] oLabels, float[] oBoxes, int batch, float minScore)
    {
        int per = tScores.Length / batch;
        Assert.Equal(tScores.Length, oScores.Length);
        for (int b = 0; b < batch; b++)
        {
            var t = Enumerable.Range(b * per, per).Where(i => tScores[i] >= minScore).ToList();
            var o = Enumerable.Range(b * per, per).Where(i => oScores[i] >= minScore).ToList();
            Assert.Equal(t.Count, o.Count);
            var used = new bool[oScores.Length];
            foreach (var i in t)
            {
                int match = o.FirstOrDefault(j => !used[j] && (long)oLabels[j] == tLabels[i] && Math.Abs(oScores[j] - tScores[i]) <= Tolerance
                    && Enumerable.Range(0, 4).All(k => Math.Abs(oBoxes[4 * j + k] - tBoxes[4 * i + k]) <= BoxTolerance(tBoxes[4 * i + k])), -1);
                Assert.True(match >= 0, $"image {b}: libtorch's detection (label {tLabels[i]}, score {tScores[i]}, box {string.Join(", ", tBoxes.AsSpan(4 * i, 4).ToArray())}) has no ONNX partner");
                used[match] = true;
            }
        }
    }
}
