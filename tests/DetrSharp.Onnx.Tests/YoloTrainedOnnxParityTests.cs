using DetrSharp.Data.Loading;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;
using DetrSharp.Detection.Yolo;
using DetrSharp.Export;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Onnx.Tests;

/// <summary>
/// YOLOv8n / YOLOv10n trained briefly by the test on the synthetic training images at the validation images' size
/// (128 px), exported and run by ONNX Runtime on the validation images: the head maps (raw0), the class probabilities
/// and the decoded boxes within 1e-4 absolute of libtorch's (issue 18's check; measured with 2 threads: boxes 6.1e-5 /
/// 9.2e-5 px, 2 and 3 ulp of coordinates between 256 and 512 px, where background anchors' boxes lie); and, on the
/// trained and the random-weight models, the export's decoded boxes are the float64 decode of its own head maps rounded
/// once to float32 (within half a unit in the last place). On the random-weight models and on models trained for
/// 15 minutes the boxes are further apart than 1e-4 (boxes to 590 px, where one ulp is 6e-5; head-map differences
/// of 1e-5 times the DFL expectation's slope and the stride): README, ONNX export, for the figures.
/// </summary>
[Collection(GlobalGenerator.Collection)]
public class YoloTrainedOnnxParityTests
{
    const float Tolerance = 1e-4f;
    const int Size = 128;
    const int Classes = 5;

    [Theory]
    [InlineData("yolov8n")]
    [InlineData("yolov10n")]
    public void HeadMapsScoresAndBoxesOfATrainedModelAreWithin1e4OfLibtorch(string name)
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        using var model = Train(name, steps: 40, batch: 8);
        var images = TestImages.Render(Size, 8);
        var input = TestImages.Input(images, Size, (img, h, w, d) => Letterbox.Fill(img, h, w, d));
        var options = new OnnxExportOptions
        {
            ImageSize = (Size, Size), ClassNames = SyntheticShapes.ClassNames.ToArray(), DynamicBatch = true, RawOutputs = true,
        };
        using var onnx = OnnxDetector.Load(TinyYolo.Export(model, options, folder.Path));
        var outputs = onnx.Run(input, images.Length);

        using var noGrad = torch.no_grad();
        var x = torch.tensor(input, new long[] { images.Length, 3, Size, Size });
        var (raw, decoded) = YoloOnnxParityTests.Forward(model, x);
        var (values, shape) = outputs["output0"];
        Assert.Equal(decoded.shape.Select(d => (int)d), shape);

        YoloOnnxParityTests.AssertClose(raw.contiguous().data<float>(), outputs["raw0"].Values, Tolerance, "raw0 (head maps)");
        YoloOnnxParityTests.AssertClose(YoloOnnxParityTests.Rows(decoded, 4, 4 + Classes), YoloOnnxParityTests.Rows(values, shape, 4, 4 + Classes),
            Tolerance, "output0 class probabilities");
        YoloOnnxParityTests.AssertClose(YoloOnnxParityTests.Rows(decoded, 0, 4), YoloOnnxParityTests.Rows(values, shape, 0, 4),
            Tolerance, "output0 boxes (px)");
        AssertRoundedOnce(model, Size, outputs["raw0"], values, shape);
    }

    [Theory]
    [InlineData("yolov8n")]
    [InlineData("yolov10n")]
    public void TheExportsBoxesAreItsHeadMapsDecodedInFloat64RoundedOnce(string name)
    {
        using var folder = new TempFolder();
        using var scope = torch.NewDisposeScope();
        using var model = TinyYolo.Build(name, seed: 5);   // untrained: spread DFL distributions, boxes hundreds of px out
        var images = TinyYolo.Images(3);
        using var onnx = OnnxDetector.Load(TinyYolo.Export(model, TinyYolo.Options() with { RawOutputs = true }, folder.Path));
        var outputs = onnx.Run(TinyYolo.Input(images), images.Length);
        var (values, shape) = outputs["output0"];
        Assert.Contains(values, v => v > 2 * TinyYolo.Size);   // boxes far out: where float32 rounding is coarsest
        AssertRoundedOnce(model, TinyYolo.Size, outputs["raw0"], values, shape);
    }

    /// <summary>
    /// The box rows of the export's output0 against Detect.inference in float64 on the export's own raw0: each value is
    /// the float64 one rounded to float32 (within half an ulp, and a 1e-6 relative margin for the float64 softmax).
    /// </summary>
    static void AssertRoundedOnce(YoloModel model, int size, (float[] Values, int[] Shape) raw0, float[] decoded, int[] shape)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var head = model.Head;
        var maps = torch.tensor(raw0.Values, raw0.Shape.Select(d => (long)d).ToArray()).to(ScalarType.Float64);   // [B, no, A]
        var feats = new List<Tensor>();
        long offset = 0;
        foreach (var stride in head.Stride)
        {
            long h = size / (long)stride;                                    // square inputs
            feats.Add(maps.slice(2, offset, offset + h * h).reshape(raw0.Shape[0], head.No, h, h));   // [B, no, h, h]
            offset += h * h;
        }
        Assert.Equal(raw0.Shape[2], offset);
        var exact = head.Inference(feats).contiguous().data<double>();   // [B, 4 + nc, A] float64
        Assert.Equal(exact.Length, decoded.Length);
        int rows = shape[1], anchors = shape[2];
        double worst = 0;
        for (int i = 0; i < exact.Length; i++)
        {
            if (i / anchors % rows >= 4) continue;
            float v = decoded[i];
            double ulp = MathF.BitIncrement(MathF.Abs(v)) - MathF.Abs(v);
            double err = Math.Abs(v - exact[i]) / ulp;
            worst = Math.Max(worst, err);
            Assert.True(err <= 0.5 + 1e-6, $"output0[{i}] = {v} is {err:F2} ulp from the float64 decode of raw0 ({exact[i]})");
        }
        Console.WriteLine($"output0 boxes: at most {worst:F3} ulp from the float64 decode of the export's raw0");
    }

    /// <summary>
    /// The model trained <paramref name="steps"/> AdamW steps (lr 2e-3) on fresh synthetic training scenes at 128 px, in
    /// eval mode: the norms' running statistics and the head's logits those of a model that has started learning.
    /// </summary>
    static YoloModel Train(string name, int steps, int batch)
    {
        torch.manual_seed(7);
        var model = YoloModel.Build(name, Classes);
        YoloFamilyConfig config = model.IsEndToEnd ? new YoloV10Config() : new YoloV8Config();
        var detector = new YoloDetector(name[..^1], model, config);
        model.train();
        using var optimizer = new DetrSharp.Torch.optim.AdamW(model.parameters(), lr: 2e-3, weight_decay: 0.0);
        int image = 0;
        for (int step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var samples = new DetectionSample[batch];
            for (int i = 0; i < batch; i++, image++)
            {
                var scene = SyntheticShapes.RenderScene(Size, SyntheticShapes.ImageSeed(42, "train", image));
                samples[i] = new DetectionSample
                {
                    Image = scene.Image, ImageId = image, OriginalWidth = Size, OriginalHeight = Size,
                    Boxes = scene.Objects.SelectMany(o => new float[] { o.X, o.Y, o.X + o.Width, o.Y + o.Height }).ToArray(),
                    Labels = scene.Objects.Select(o => (int)o.Kind).ToArray(),
                    Areas = scene.Objects.Select(o => (float)o.VisiblePixels).ToArray(),
                };
            }
            using var collated = Collate.Make(samples);
            var loss = detector.Losses(collated)["total"];
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        model.eval();
        return model;
    }
}
