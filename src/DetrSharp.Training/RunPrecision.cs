using DetrSharp.Detection.Configuration;
using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>
/// The precision a run computes in (runtime.precision resolved for its device): <c>fp32</c>; <c>bf16</c>, autocast to
/// bfloat16 around the forward (CPU or CUDA); <c>fp16</c>, autocast to float16 with a dynamic loss scaler (CUDA only).
/// <c>auto</c> picks bf16 on CPUs with AVX512-BF16 or AMX-BF16 and on CUDA devices of compute capability 8.0 or more
/// (torch.cuda.is_bf16_supported), else fp32. Weights, optimizer state, losses, matching, box decoding and
/// post-processing stay float32 under every precision (the families' <c>Float32Region</c>).
/// </summary>
/// <param name="Name">fp32, bf16 or fp16: what runs</param>
/// <param name="Device">where it runs</param>
/// <param name="Reason">why (auto's choice, or "set")</param>
public sealed record RunPrecision(string Name, Device Device, string Reason)
{
    /// <summary>The values runtime.precision takes.</summary>
    public static readonly string[] Settings = ["auto", "fp32", "bf16", "fp16"];

    /// <summary>The setting resolved for the device; <paramref name="cpuFlags"/> replaces /proc/cpuinfo's flags (tests).</summary>
    public static RunPrecision Resolve(string setting, Device device, IReadOnlySet<string>? cpuFlags = null)
    {
        if (!Settings.Contains(setting))
            throw new ConfigException($"runtime.precision must be one of {string.Join(", ", Settings)}; got \"{setting}\"");
        if (setting == "fp16" && device.type != DeviceType.CUDA)
            throw new ConfigException($"runtime.precision fp16 needs a CUDA device (float16 autocast with loss scaling is CUDA only; runtime.device is {device}): use bf16 or fp32 on the CPU");
        if (setting != "auto") return new RunPrecision(setting, device, "set");
        if (device.type == DeviceType.CUDA)
        {
            var cc = torch.cuda.get_device_capability(device.index < 0 ? 0 : device.index);
            return cc is { } c && c.major >= 8
                ? new RunPrecision("bf16", device, $"auto: CUDA compute capability {c.major}.{c.minor} supports bfloat16")
                : new RunPrecision("fp32", device, cc is { } old ? $"auto: CUDA compute capability {old.major}.{old.minor} has no bfloat16" : "auto: CUDA compute capability unknown");
        }
        var flags = cpuFlags ?? CpuFlags();
        var bf16 = new[] { "avx512_bf16", "amx_bf16" }.Where(flags.Contains).ToList();
        return bf16.Count > 0
            ? new RunPrecision("bf16", device, $"auto: the CPU has {string.Join(" and ", bf16)}")
            : new RunPrecision("fp32", device, "auto: the CPU has neither avx512_bf16 nor amx_bf16");
    }

    /// <summary>The autocast scope of the forward (dispose it after the forward), or null for fp32.</summary>
    public AutocastMode? Autocast() => Name switch
    {
        "bf16" => torch.autocast(Device.type, ScalarType.BFloat16),
        "fp16" => torch.autocast(Device.type, ScalarType.Float16),
        _ => null,
    };

    /// <summary>fp16 needs loss scaling (bf16 has float32's exponent range and does not).</summary>
    public bool NeedsGradScaler => Name == "fp16";

    public override string ToString() => Name;

    /// <summary>The flags line of /proc/cpuinfo (empty where there is none).</summary>
    public static IReadOnlySet<string> CpuFlags()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("flags", StringComparison.Ordinal) && line.IndexOf(':') is var colon and > 0)
                    return line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return new HashSet<string>();
    }
}
