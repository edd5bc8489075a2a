namespace DetrSharp.Torch;

/// <summary>Device kinds, numbered as c10::DeviceType.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>A device: its kind and index (-1 for "the current one").</summary>
public readonly record struct Device(DeviceType type, int index = -1)
{
    public static readonly Device CPU = new(DeviceType.CPU);
    public static readonly Device CUDA = new(DeviceType.CUDA, 0);

    /// <summary>Parses "cpu", "cuda", "cuda:1".</summary>
    public static Device Parse(string s)
    {
        var parts = s.Trim().ToLowerInvariant().Split(':');
        var type = parts[0] switch
        {
            "cpu" => DeviceType.CPU,
            "cuda" => DeviceType.CUDA,
            _ => throw new ArgumentException($"unknown device '{s}' (expected cpu, cuda or cuda:N)"),
        };
        int index = parts.Length > 1 ? int.Parse(parts[1]) : (type == DeviceType.CUDA ? 0 : -1);
        return new Device(type, index);
    }

    public override string ToString() => type == DeviceType.CPU ? "cpu" : index < 0 ? "cuda" : $"cuda:{index}";
    public static implicit operator Device(string s) => Parse(s);
}
