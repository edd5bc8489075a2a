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

    /// <summary>A checkpoint (DetrSharp or PyTorch) to start the model from, loaded non-strictly; null starts from the family's init.</summary>
    public string? InitFrom { get; init; }

    /// <summary>Object classes (set from the dataset when a run builds the model, not a config key).</summary>
    [JsonIgnore]
    public int NumClasses { get; init; } = 91;

    /// <summary>Throws a <see cref="Configuration.ConfigException"/> naming the first invalid key as <c>model.key</c>.</summary>
    public abstract void Validate();
}
