using DetrSharp.Data.Synthetic;
using DetrSharp.Torch;
using DetrSharp.Training;
using DetrSharp.Training.Detr;

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

    public static TrainConfig Config(string root) => new TrainConfig
    {
        Data = root,
        Epochs = 2,
        BatchSize = 4,
        Lr = 3e-4,
        LrBackbone = 3e-4,
        WarmupSteps = 5,
        TrainScales = [96],
        CropResize = [96],
        CropMin = 72,
        CropMax = 96,
        ValSize = 96,
        MaxSize = 128,
        HiddenDim = 64,
        Nheads = 4,
        EncLayers = 1,
        DecLayers = 2,
        DimFeedforward = 64,
        NumQueries = 8,
        EvalEvery = 0,
        LogEvery = 1,
        Workers = 2,
        Seed = 5,
        TimeLimitMinutes = 0, // a time-based schedule would make runs depend on the clock
    }.Validate();

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
