using DetrSharp.Data.Imaging;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;
using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Families;
using DetrSharp.Export;
using DetrSharp.Export.Dino;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Onnx.Tests;

/// <summary>
/// A small DINO for the ONNX tests: ResNet-18 body with BatchNorm (3 backbone levels + 1 extra stride-2 level), 1 encoder
/// and 2 decoder layers, feed-forward 64, 20 queries, 5 classes, 64 px input (85 encoder tokens). Every weight is drawn
/// from a seeded generator (norm scales in [0.5, 1.5], biases N(0, 0.2²), matrices N(0, 1/fan_in), convolutions
/// N(0, 2/fan_in)) so no part is at its identity-like initialisation (attention weights, box heads), and the BatchNorm
/// statistics come from the images (as a trained body's keep activations near unit scale); eval mode.
/// </summary>
public static class TinyDino
{
    public const int Size = 64;
    public const int Classes = 5;

    public static DinoConfig Config { get; } = new()
    {
        NumClasses = Classes, Backbone = "resnet18", ReturnInterimIndices = [1, 2, 3], NumFeatureLevels = 4,
        EncLayers = 1, DecLayers = 2, DimFeedforward = 64, NumQueries = 20, DnNumber = 0, NumSelect = 30,
    };

    public static DinoDetector Build(long seed)
    {
        var detector = (DinoDetector)DinoFamily.Instance.Build(Config, new DetectorBuildOptions());
        var model = detector.Model;
        using var gen = new Generator(seed);
        using var noGrad = torch.no_grad();
        foreach (var (key, t) in model.state_dict())
        {
            using (t)
            {
                if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
                using var r = torch.rand(t.shape, generator: gen);
                using var n = torch.randn(t.shape, generator: gen);
                double fanIn = t.dim() > 1 ? t.numel() / t.shape[0] : 1;
                using var v = t.dim() == 1 && key.EndsWith("weight", StringComparison.Ordinal) || key.EndsWith("running_var", StringComparison.Ordinal) ? r + 0.5
                    : key.EndsWith("bias", StringComparison.Ordinal) || key.EndsWith("running_mean", StringComparison.Ordinal) ? n * 0.2
                    : t.dim() == 4 ? n * Math.Sqrt(2.0 / fanIn)
                    : n * Math.Sqrt(1.0 / fanIn);
                t.copy_(v);
            }
        }
        Calibrate(model);
        return detector;
    }

    /// <summary>BatchNorm running statistics from a training-mode forward on the test images (momentum 1 for that pass), then eval.</summary>
    static void Calibrate(DINO model)
    {
        var norms = model.modules().OfType<BatchNorm2d>().ToList();
        var momentum = norms.Select(b => b.momentum).ToList();
        foreach (var bn in norms) bn.momentum = 1.0;
        using (torch.no_grad())
        using (var batch = Batch(Images(8)))
        {
            model.train();
            model.forward(batch.Samples).Dispose();
        }
        for (int i = 0; i < norms.Count; i++) norms[i].momentum = momentum[i];
        model.eval();
    }

    /// <summary>The first <paramref name="count"/> images of the synthetic validation split (seed 42) at 64 px.</summary>
    public static RgbImage[] Images(int count) => TestImages.Render(Size, count);

    /// <summary>The images as the libtorch predictor collates them (normalised, no padding at 64 px).</summary>
    public static DetectionBatch Batch(IReadOnlyList<RgbImage> images) => TestImages.Collated(images);

    /// <summary>The images as the ONNX input [B, 3, H, W], RGB in [0, 1].</summary>
    public static float[] Input(IReadOnlyList<RgbImage> images) => TestImages.Input(images, Size, StretchResize.Fill);

    public static OnnxExportOptions Options(int opset, bool dynamicBatch = true) => new()
    {
        Opset = opset, DynamicBatch = dynamicBatch, ImageSize = (Size, Size), ClassNames = SyntheticShapes.ClassNames.ToArray(),
        MaxDet = Config.NumSelect, ConfThreshold = 0,
    };

    /// <summary>Exports to a file in <paramref name="folder"/> and returns its path.</summary>
    public static string Export(DINO model, OnnxExportOptions options, string folder)
    {
        var path = Path.Combine(folder, $"dino-{options.Opset}-{Guid.NewGuid():N}.onnx");
        OnnxModelFile.Write(DinoOnnxExporter.Export(model, options), path);
        return path;
    }
}
