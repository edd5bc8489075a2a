using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>Builds the detector a run's config describes, through the family registry, on the run's device.</summary>
public static class DetectorFactory
{
    /// <summary>
    /// The family's detector for <paramref name="numClasses"/> classes on runtime.device (an error when that device is
    /// CUDA and libtorch has none), started from model.init_from when set (loaded non-strictly).
    /// </summary>
    /// <param name="reduceNumBoxes">distributed runs: num_boxes averaged over the ranks (DistributedContext.ReduceNumBoxes)</param>
    public static IDetector Build(RunConfig config, int numClasses, Func<double, double>? reduceNumBoxes = null)
    {
        config.Runtime.CheckDeviceAvailable();
        var family = DetectorRegistry.Get(config.Model.Name);
        var model = config.Model with { NumClasses = numClasses };
        var detector = family.Build(model, new DetectorBuildOptions
        {
            Device = config.Runtime.TorchDevice,
            TrainBackbone = config.Optim.LrBackbone > 0,
            ReduceNumBoxes = reduceNumBoxes,
        });
        try
        {
            if (config.Model.InitFrom is { } path)
            {
                var result = detector.Module.load_state_dict(path, strict: false);
                if (result.missing_keys.Count == detector.Module.state_dict().Count)
                    throw new ArgumentException($"{path}: no key of the checkpoint matches the {family.Name} model ({result})");
            }
            return detector;
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }
}
