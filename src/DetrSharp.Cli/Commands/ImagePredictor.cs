using DetrSharp.Data.Imaging;
using DetrSharp.Detection.Families;
using DetrSharp.Onnx;
using DetrSharp.Training;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// What `predict` runs on each image: the libtorch detector of a checkpoint (`--engine torch`) or an exported model
/// through ONNX Runtime (`--engine onnx --model FILE`, which never loads libtorch).
/// </summary>
public interface IImagePredictor : IDisposable
{
    IReadOnlyList<string> ClassNames { get; }
    ImageDetections Predict(RgbImage image, float scoreThreshold);
}

public static class ImagePredictor
{
    /// <summary>Parses --engine (torch or onnx).</summary>
    public static string Engine(string? value)
    {
        var e = (value ?? "torch").Trim().ToLowerInvariant();
        return e is "torch" or "onnx" ? e : throw new ArgumentException($"--engine must be torch or onnx; got \"{value}\"");
    }

    public static IImagePredictor Open(string engine, string? model, Func<TrainedDetector> checkpoint)
    {
        if (engine == "onnx")
            return new OnnxPredictor(OnnxDetector.Load(model ?? throw new ArgumentException("--engine onnx needs --model FILE: a model written by `detrsharp export --format onnx`")));
        return new TorchPredictor(checkpoint());
    }

    sealed class TorchPredictor(TrainedDetector trained) : IImagePredictor
    {
        public IReadOnlyList<string> ClassNames => trained.ClassNames;
        public ImageDetections Predict(RgbImage image, float scoreThreshold) => trained.Predict(image, scoreThreshold);
        public void Dispose() => trained.Dispose();
    }

    sealed class OnnxPredictor(OnnxDetector onnx) : IImagePredictor
    {
        public IReadOnlyList<string> ClassNames => onnx.ClassNames;
        public ImageDetections Predict(RgbImage image, float scoreThreshold) => ToImageDetections(0, onnx.Detect(image, scoreThreshold));
        public void Dispose() => onnx.Dispose();
    }

    /// <summary>ONNX detections as the project's per-image detections.</summary>
    public static ImageDetections ToImageDetections(long imageId, IReadOnlyList<OnnxDetection> d)
        => new(imageId, d.Select(x => x.Score).ToArray(), d.Select(x => x.Label).ToArray(), d.SelectMany(x => new[] { x.X1, x.Y1, x.X2, x.Y2 }).ToArray());
}
