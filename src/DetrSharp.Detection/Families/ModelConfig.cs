using System.Text.Json.Serialization;

namespace DetrSharp.Detection.Families;

/// <summary>
/// The <c>model</c> section of a run's configuration: which family (<see cref="Name"/>) and that family's settings.
/// Each family derives its own record (defaults and validation in one place, in the family's folder); the
/// <see cref="DetectorRegistry"/> maps the name to the record type.
/// </summary>
public abstract record ModelConfig
{
    /// <summary>The family: detr, dino, yolov8, yolov10 (the config key <c>model.name</c>, the flag <c>--model</c>).</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Weights to start the model from (the flag <c>--weights</c>): a DetrSharp checkpoint, an official DETR or DINO
    /// <c>.pth</c>, an ultralytics <c>.pt</c>, or a torchvision ResNet state dict (the backbone only). Tensors whose
    /// shapes differ (the class heads, when the class count differs) keep the family's init; null starts from the
    /// family's init.
    /// </summary>
    public string? InitFrom { get; init; }

    /// <summary>
    /// Parameters that do not train (the flag <c>--freeze</c>): <c>backbone</c>, or N, the family's first N modules
    /// (see <see cref="IDetector.FreezePrefixes"/>); null freezes nothing beyond the family's own rules.
    /// </summary>
    [JsonConverter(typeof(Configuration.TextOrNumberConverter))]
    public string? Freeze { get; init; }

    /// <summary>Object classes (set from the dataset when a run builds the model, not a config key).</summary>
    [JsonIgnore]
    public int NumClasses { get; init; } = 91;

    /// <summary>Throws a <see cref="Configuration.ConfigException"/> naming the first invalid key as <c>model.key</c>.</summary>
    public abstract void Validate();
}
