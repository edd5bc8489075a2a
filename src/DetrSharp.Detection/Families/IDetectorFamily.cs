using DetrSharp.Torch;

namespace DetrSharp.Detection.Families;

/// <summary>How a run builds a detector: where it lives and whether its backbone trains.</summary>
public sealed record DetectorBuildOptions
{
    public Device Device { get; init; } = Device.CPU;
    /// <summary>False when the backbone's learning rate is 0 (the reference freezes it then).</summary>
    public bool TrainBackbone { get; init; } = true;
    /// <summary>Distributed runs: how a set criterion's num_boxes becomes the mean over ranks (DETR, DINO); null for one process.</summary>
    public Func<double, double>? ReduceNumBoxes { get; init; }
}

/// <summary>
/// A detector family (DETR, DINO, YOLOv8, YOLOv10): its name, its config record with defaults, and how to build a
/// detector from it. One line in <see cref="DetectorRegistry"/> makes it selectable with <c>--model NAME</c>.
/// </summary>
public interface IDetectorFamily
{
    /// <summary>The <c>model.name</c> that selects it.</summary>
    string Name { get; }

    /// <summary>One line for help texts.</summary>
    string Description { get; }

    /// <summary>The family's config record (derived from <see cref="ModelConfig"/>).</summary>
    Type ConfigType { get; }

    /// <summary>The family's defaults for a run.</summary>
    ModelConfig Defaults { get; }

    /// <summary>
    /// The family's recipe outside the model section, as <c>section.key</c> → JSON value (e.g. YOLO's
    /// <c>optim.weight_decay</c> 0.0005): applied when a run selects the family, before the user's own settings.
    /// </summary>
    IReadOnlyDictionary<string, string> RunDefaults { get; }

    /// <summary>Builds the detector for <paramref name="config"/> (of <see cref="ConfigType"/>; its NumClasses set).</summary>
    IDetector Build(ModelConfig config, DetectorBuildOptions options);
}
