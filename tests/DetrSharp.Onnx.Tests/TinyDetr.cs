using DetrSharp.Data.Imaging;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;
using DetrSharp.Detection.Detr;
using DetrSharp.Detection.Families;
using DetrSharp.Detection.Models;
using DetrSharp.Export;
using DetrSharp.Export.Detr;
using DetrSharp.Export.Graph;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Onnx.Tests;

/// <summary>
/// A small DETR (hidden 32, 4 heads, 5 classes, 10 queries, 64 px input) whose every weight, norm affine parameter and
/// frozen-norm buffer is drawn from a seeded generator; a trainable BatchNorm's running statistics come from a
/// training-mode pass over the synthetic validation images (so the folded norms are far from identity); in eval mode.
/// </summary>
public static class TinyDetr
{
    public const int Size = 64;
    public const int Classes = 5;

    public static DetrConfig Config(string backbone = "resnet18", ResNetNorm norm = ResNetNorm.BatchNorm, int stages = 3, bool preNorm = false, int topK = 20)
        => new()
        {
            NumClasses = Classes, Backbone = backbone, BackboneNorm = norm, BackboneStages = stages, PreNorm = preNorm, TopkDetections = topK,
            HiddenDim = 32, NHeads = 4, EncLayers = 2, DecLayers = 2, DimFeedforward = 64, NumQueries = 10,
        };

    /// <summary>The detector of <paramref name="config"/> with seeded weights.</summary>
    public static DetrDetector Build(DetrConfig config, long seed)
    {
        var detector = (DetrDetector)DetrFamily.Instance.Build(config, new DetectorBuildOptions());
        var model = detector.Model;
        using var gen = new Generator(seed);
        using (torch.no_grad())
            foreach (var (key, t) in model.state_dict())
            {
                using (t)
                {
                    if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
                    using var r = torch.rand(t.shape, generator: gen);
                    using var n = torch.randn(t.shape, generator: gen);
                    using var v = key.EndsWith("running_var", StringComparison.Ordinal) || (t.dim() == 1 && key.EndsWith("weight", StringComparison.Ordinal))
                        ? r + 0.5                                                  // variances and norm scales in [0.5, 1.5)
                        : t.dim() == 1 ? n * 0.2                                    // biases and means
                        : n * Math.Sqrt(1.0 / (t.numel() / t.shape[0]));            // weights: unit gain
                    t.copy_(v);
                }
            }
        Calibrate(model);
        return detector;
    }

    // trainable BatchNorm: running statistics from one training-mode pass (momentum 1) over the validation images
    static void Calibrate(DETR model)
    {
        var norms = model.modules().OfType<BatchNorm2d>().ToList();
        if (norms.Count > 0)
        {
            foreach (var bn in norms) bn.momentum = 1.0;
            using var batch = Batch(Images(8));
            var body = model.Backbone.Backbone!.Body;
            using (torch.no_grad())
            {
                body.train();
                body.forward(batch.Samples.Tensors).Dispose();
            }
            foreach (var bn in norms) bn.momentum = 0.1;
        }
        model.eval();
    }

    /// <summary>The first <paramref name="count"/> images of the synthetic validation split (seed 42) at 64 px.</summary>
    public static RgbImage[] Images(int count) => TestImages.Render(Size, count);

    /// <summary>The images as the libtorch predictor gets them (collated: normalised, no padding at one size).</summary>
    public static DetectionBatch Batch(IReadOnlyList<RgbImage> images) => TestImages.Collated(images);

    /// <summary>The images as the ONNX model's input [B, 3, H, W], RGB in [0, 1].</summary>
    public static float[] Input(IReadOnlyList<RgbImage> images) => TestImages.Input(images, Size, StretchResize.Fill);

    public static OnnxExportOptions Options(int opset = OnnxOpsets.Default, bool dynamicBatch = true) => new()
    {
        Opset = opset, DynamicBatch = dynamicBatch, ImageSize = (Size, Size), ClassNames = SyntheticShapes.ClassNames.ToArray(), ConfThreshold = 0,
    };

    /// <summary>Exports to a temporary file and returns its path.</summary>
    public static string Export(DetrDetector detector, DetrConfig config, OnnxExportOptions options, string folder)
    {
        var path = Path.Combine(folder, $"detr-{options.Opset}-{Guid.NewGuid():N}.onnx");
        OnnxModelFile.Write(DetrOnnxExporter.Export(detector.Model, options, config.TopkDetections), path);
        return path;
    }
}
