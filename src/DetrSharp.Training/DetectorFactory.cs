using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>Builds the detector a run's config describes, through the family registry, on the run's device.</summary>
public static class DetectorFactory
{
    /// <summary>
    /// The family's detector for <paramref name="numClasses"/> classes on runtime.device (an error when that device is
    /// CUDA and libtorch has none), started from model.init_from when set (<see cref="InitialWeights"/>: matching tensors
    /// loaded, class heads of another class count left at the family's init), with model.freeze's parameters frozen
    /// (<see cref="ParameterFreeze"/>), its convolution weights channels_last when runtime.channels_last resolves so
    /// (<see cref="ChannelsLastChoice"/>). <paramref name="report"/> receives what was loaded and frozen.
    /// </summary>
    /// <param name="reduceNumBoxes">distributed runs: num_boxes averaged over the ranks (DistributedContext.ReduceNumBoxes)</param>
    public static IDetector Build(RunConfig config, int numClasses, Action<string>? report = null, Func<double, double>? reduceNumBoxes = null)
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
            // once, before any optimizer or EMA holds the parameters (module.to replaces them)
            if (config.Runtime.ResolveChannelsLast(config.Model.Name).Enabled) detector.Module.to(MemoryFormat.ChannelsLast);
            if (config.Model.InitFrom is { Length: > 0 } path)
            {
                // (loaded whether or not anyone reads the report)
                var loaded = InitialWeights.Load(detector, model, path);
                report?.Invoke(loaded.Summary());
            }
            var frozen = ParameterFreeze.Apply(detector, config.Model.Freeze);
            if (frozen.Count > 0)
                report?.Invoke($"freeze {config.Model.Freeze}: {frozen.Count} parameter tensors frozen ({frozen[0]} .. {frozen[^1]})");
            return detector;
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }
}
