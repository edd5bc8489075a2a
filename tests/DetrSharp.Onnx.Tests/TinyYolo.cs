using DetrSharp.Data.Imaging;
using DetrSharp.Data.Synthetic;
using DetrSharp.Detection.Yolo;
using DetrSharp.Export;
using DetrSharp.Export.Graph;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Onnx.Tests;

/// <summary>
/// A small YOLO (the n scale, 5 classes, 64 px input) whose every weight and BatchNorm affine parameter is drawn from a
/// seeded generator and whose norm statistics come from the images (so the folded norms are far from identity), with
/// ultralytics' bias_init on the head, in eval mode; and the synthetic validation images.
/// </summary>
public static class TinyYolo
{
    public const int Size = 64;
    public const int Classes = 5;

    public static YoloModel Build(string name, long seed)
    {
        var model = YoloModel.Build(name, Classes);
        using var gen = new Generator(seed);
        using var noGrad = torch.no_grad();
        foreach (var (key, t) in model.state_dict())
        {
            using (t)
            {
                if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal) || key.Contains(".dfl.", StringComparison.Ordinal)) continue;
                using var r = torch.rand(t.shape, generator: gen);
                using var n = torch.randn(t.shape, generator: gen);
                if (key.EndsWith("running_var", StringComparison.Ordinal)) { using var v = r + 0.5; t.copy_(v); }
                else if (key.EndsWith("running_mean", StringComparison.Ordinal) || key.EndsWith("bias", StringComparison.Ordinal)) { using var v = n * 0.2; t.copy_(v); }
                else if (key.EndsWith("bn.weight", StringComparison.Ordinal)) { using var v = r + 0.5; t.copy_(v); }
                else
                {
                    double fanIn = t.numel() / t.shape[0];
                    using var v = n * Math.Sqrt(2.0 / fanIn);
                    t.copy_(v);
                }
            }
        }
        model.Head.BiasInit();   // class biases as an untrained model starts (most scores low), box biases 1
        Calibrate(model);
        return model;
    }

    /// <summary>
    /// Sets every BatchNorm's running statistics to the batch statistics of a training-mode forward on the synthetic
    /// validation images the tests use (momentum 1 for that one pass), as a trained model's norms keep its activations near
    /// unit scale (statistics from other images, at 2x2 maps, blow the deep activations up to hundreds); then eval.
    /// </summary>
    static void Calibrate(YoloModel model)
    {
        var norms = model.modules().OfType<BatchNorm2d>().ToList();
        foreach (var bn in norms) bn.momentum = 1.0;
        var images = Images(8);
        using (torch.no_grad())
        using (var x = torch.tensor(Input(images), new long[] { images.Length, 3, Size, Size }))
        {
            model.train();
            model.forward(x).Dispose();
        }
        foreach (var bn in norms) bn.momentum = Conv.BnMomentum;
        model.eval();
    }

    /// <summary>The first <paramref name="count"/> images of the synthetic validation split (seed 42) at 64 px.</summary>
    public static RgbImage[] Images(int count) => TestImages.Render(Size, count);

    /// <summary>Images as the model's input [B, 3, H, W], RGB in [0, 1] (what the ONNX detector feeds).</summary>
    public static float[] Input(IReadOnlyList<RgbImage> images) => TestImages.Input(images, Size, (img, h, w, d) => Letterbox.Fill(img, h, w, d));

    public static OnnxExportOptions Options(int opset = OnnxOpsets.Default, bool dynamicBatch = true, double conf = 0.001) => new()
    {
        Opset = opset, DynamicBatch = dynamicBatch, ImageSize = (Size, Size), ClassNames = SyntheticShapes.ClassNames.ToArray(), ConfThreshold = conf,
    };

    /// <summary>Exports to a temporary file and returns its path.</summary>
    public static string Export(YoloModel model, OnnxExportOptions options, string folder)
    {
        var path = Path.Combine(folder, $"model-{options.Opset}-{Guid.NewGuid():N}.onnx");
        DetrSharp.Export.OnnxModelFile.Write(DetrSharp.Export.Yolo.YoloOnnxExporter.Export(model, options), path);
        return path;
    }
}
