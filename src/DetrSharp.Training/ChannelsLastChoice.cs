using DetrSharp.Detection.Configuration;

namespace DetrSharp.Training;

/// <summary>
/// Whether a run lays its convolution weights out channels_last (NHWC, which oneDNN's convolutions prefer):
/// runtime.channels_last resolved for the family and the precision that runs. <c>true</c> and <c>false</c> force it;
/// <c>auto</c> (the default) turns it on where it was measured faster on the CPU (<see cref="FasterOnCpu"/>) and on
/// CUDA under bf16/fp16 (tensor cores want NHWC, as PyTorch's guide says). Applied once at model build
/// (<see cref="DetectorFactory"/>); the model's entry converts its images to match; checkpoints hold NCHW whatever
/// the layout (<see cref="Checkpoint"/>).
/// </summary>
/// <param name="Enabled">the weights are channels_last</param>
/// <param name="Reason">why (auto's rule, or "set")</param>
public sealed record ChannelsLastChoice(bool Enabled, string Reason)
{
    /// <summary>The values runtime.channels_last takes.</summary>
    public static readonly string[] Settings = ["auto", "true", "false"];

    /// <summary>
    /// auto's rule on the CPU, (family, precision) pairs where a default-size training step took less CPU time
    /// channels_last than NCHW in `bench channels-last --threads 1` (README, Mixed precision).
    /// </summary>
    public static readonly IReadOnlySet<(string Family, string Precision)> FasterOnCpu = new HashSet<(string, string)>
    {
        ("detr", "bf16"), ("dino", "bf16"),
    };

    /// <summary>The setting resolved for a family (model.name) under the precision that runs.</summary>
    public static ChannelsLastChoice Resolve(string setting, string family, RunPrecision precision)
    {
        if (!Settings.Contains(setting))
            throw new ConfigException($"runtime.channels_last must be one of {string.Join(", ", Settings)}; got \"{setting}\"");
        if (setting != "auto") return new ChannelsLastChoice(setting == "true", "set");
        if (precision.Device.type == Torch.DeviceType.CUDA)
            return precision.Name == "fp32"
                ? new ChannelsLastChoice(false, "auto: off for fp32 on CUDA")
                : new ChannelsLastChoice(true, $"auto: on for {precision.Name} on CUDA");
        return FasterOnCpu.Contains((family, precision.Name))
            ? new ChannelsLastChoice(true, $"auto: measured faster for {family} in {precision.Name} on the CPU")
            : new ChannelsLastChoice(false, $"auto: not measured faster for {family} in {precision.Name} on the CPU");
    }
}
