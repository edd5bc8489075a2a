using DetrSharp.Data.Imaging;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;
using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;

namespace DetrSharp.Training;

/// <summary>A detector restored from a training checkpoint, with its config and class names, ready to predict.</summary>
public sealed class TrainedDetector : IDisposable
{
    TrainedDetector(IDetector detector, RunConfig config, IReadOnlyList<string> classNames, TrainingProgress progress)
    {
        Detector = detector;
        Config = config;
        ClassNames = classNames;
        Progress = progress;
    }

    public IDetector Detector { get; }
    public RunConfig Config { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public TrainingProgress Progress { get; }
    /// <summary>The run's runtime.precision resolved for this machine and device: what Predict and eval's forward run in.</summary>
    public RunPrecision Precision => _precision ??= Config.Runtime.ResolvePrecision();
    RunPrecision? _precision;

    /// <summary>Loads a checkpoint written by `detrsharp train` (the EMA weights when asked and present).</summary>
    /// <param name="path">the checkpoint</param>
    /// <param name="useEma">the EMA weights instead of the trained ones</param>
    /// <param name="overrides">settings that may differ from the run's for inference (model.topk_detections, runtime.device)</param>
    public static TrainedDetector Load(string path, bool useEma = false, IEnumerable<(string key, string value)>? overrides = null)
    {
        using var ckpt = Checkpoint.Load(path);
        var config = ckpt.Config;
        if (overrides != null) config = config.With(overrides);
        if (!ckpt.Root.TryGetValue("class_names", out var names) || names is not List<object?> list)
            throw new CheckpointFormatException(path, "no 'class_names' entry: not written by `detrsharp train`");
        var classNames = list.Select(n => n as string ?? throw new CheckpointFormatException(path, "class_names must be strings")).ToList();
        var detector = DetectorFactory.Build(config with { Model = config.Model with { InitFrom = null } }, classNames.Count);
        try
        {
            var weights = useEma ? ckpt.Ema ?? throw new ArgumentException($"{path}: the run kept no EMA weights (optim.ema = 0)") : ckpt.Model;
            if (NonFiniteCheck.FirstNonFinite(weights.Select(kv => (kv.Key, kv.Value))) is { } bad)
                throw new InvalidDataException($"{path}: the {(useEma ? "EMA " : "")}weights hold NaN or infinite values (first in {bad}): " +
                    $"the run diverged before this checkpoint (step {ckpt.Progress.Step}), so it cannot detect anything; train again with a lower optim.lr or from an earlier checkpoint");
            detector.Module.load_state_dict(weights, strict: !useEma);
            detector.Module.eval();
            return new TrainedDetector(detector, config, classNames, ckpt.Progress);
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }

    /// <summary>Detections on one image file (resized or letterboxed as for validation), in the image's pixels.</summary>
    public ImageDetections Predict(string imagePath, float scoreThreshold)
    {
        var image = ImageCodec.Decode(imagePath);
        return Predict(image, scoreThreshold);
    }

    public ImageDetections Predict(RgbImage image, float scoreThreshold)
    {
        var sample = new DetectionSample
        {
            Image = image, Boxes = Array.Empty<float>(), Labels = Array.Empty<int>(), Areas = Array.Empty<float>(),
            ImageId = 0, OriginalWidth = image.Width, OriginalHeight = image.Height,
        };
        var rng = new Xoshiro256StarStar(0);
        sample = RunTransforms.Val(Config.Data).Apply(sample, ref rng);
        using var batch = Collate.Make(new[] { sample });
        using var onDevice = batch.To(Config.Runtime.TorchDevice);
        using var autocast = Precision.Autocast();
        return Detector.Predict(onDevice, scoreThreshold)[0];
    }

    public void Dispose() => Detector.Dispose();
}
