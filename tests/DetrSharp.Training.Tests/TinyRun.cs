using DetrSharp.Data.Synthetic;
using DetrSharp.Torch;
using DetrSharp.Training;
using DetrSharp.Detection.Detr;

namespace DetrSharp.Training.Tests;

/// <summary>A small synthetic dataset and a tiny DETR configuration that trains in seconds on a CPU.</summary>
public sealed class TinyData : IDisposable
{
    public string Root { get; }

    public TinyData()
    {
        Root = Path.Combine(Path.GetTempPath(), "detrsharp-tests-" + Guid.NewGuid().ToString("N")[..8]);
        SyntheticShapes.Generate(Root, new SyntheticShapesOptions { TrainImages = 16, ValImages = 8, ImageSize = 96, Seed = 7, MaxObjects = 1 });
    }

    public static RunConfig Config(string root) => new RunConfig
    {
        Model = new DetrConfig { HiddenDim = 64, NHeads = 4, EncLayers = 1, DecLayers = 2, DimFeedforward = 64, NumQueries = 8 },
        Data = new DataConfig
        {
            Path = root, BatchSize = 4, TrainScales = [96], CropResize = [96], CropMin = 72, CropMax = 96, ValSize = 96, MaxSize = 128,
        },
        Optim = new OptimConfig { Lr = 3e-4, LrBackbone = 3e-4 },
        // a time-based schedule would make runs depend on the clock
        Schedule = new ScheduleConfig { Epochs = 2, WarmupSteps = 5, TimeLimitMinutes = 0 },
        Eval = new EvalConfig { Every = 0 },
        Runtime = new RuntimeConfig { LogEvery = 1, Workers = 2, Seed = 5 },
    }.Validate();

    /// <summary>The config with section.key=value settings applied.</summary>
    public static RunConfig With(RunConfig config, params (string key, object value)[] settings)
        => config.With(settings.Select(s => (s.key, System.Text.Json.JsonSerializer.Serialize(s.value))));

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
