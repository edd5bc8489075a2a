using DetrSharp.Detection.Configuration;
using DetrSharp.Detection.Detr;
using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Yolo;

namespace DetrSharp.Detection.Families;

/// <summary>
/// The detector families a run can select with <c>--model NAME</c> (config <c>model.name</c>). Adding a family is
/// one folder under DetrSharp.Detection and one line in <see cref="Available"/>.
/// </summary>
public static class DetectorRegistry
{
    /// <summary>The families built so far.</summary>
    public static IReadOnlyList<IDetectorFamily> Available { get; } =
    [
        DetrFamily.Instance,
        DinoFamily.Instance,
        YoloFamily.V8,
        YoloFamily.V10,
    ];

    /// <summary>Families that are named in the design but not built yet, with what they will bring.</summary>
    public static IReadOnlyDictionary<string, string> Planned { get; } = new Dictionary<string, string>();

    /// <summary>The default family of a run.</summary>
    public static IDetectorFamily Default => DetrFamily.Instance;

    /// <summary>Names of the families built so far.</summary>
    public static IEnumerable<string> Names => Available.Select(f => f.Name);

    /// <summary>The family named <paramref name="name"/>; a clear error for a planned or unknown one.</summary>
    public static IDetectorFamily Get(string? name)
    {
        var key = name?.Trim().ToLowerInvariant();
        if (Available.FirstOrDefault(f => f.Name == key) is { } family) return family;
        if (key != null && Planned.TryGetValue(key, out var what))
            throw new ConfigException($"model.name \"{name}\": the {what} family is not built yet; available: {string.Join(", ", Names)}");
        throw new ConfigException($"model.name must be one of {string.Join(", ", Names)}; got \"{name}\"");
    }
}
