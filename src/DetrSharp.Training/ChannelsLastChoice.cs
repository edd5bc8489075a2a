using DetrSharp.Detection.Configuration;

namespace DetrSharp.Training;

/// <summary>
/// Whether a run lays its convolution weights out channels_last (NHWC, which oneDNN's convolutions prefer):
/// runtime.channels_last resolved for the family and the precision that runs. <c>true</c> and <c>false</c> force it;
/// <c>auto</c> (the default) turns it on where it was measured faster on the CPU (<see cref="FasterOnCpu"/>), and off
/// on CUDA, where it was not measured. Applied once at model build
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
    /// auto's rule on the CPU: the (family, precision) pairs whose default training step took less CPU time channels_last
    /// than NCHW in each of three `bench channels-last --threads 1` runs (README, Mixed precision): DETR 0.77-0.89x,
    /// YOLOv8n 0.86-0.94x, YOLOv10n 0.83-0.90x in fp32 and bf16. DINO is not in it (0.91-1.12x: its step is mostly the
    /// deformable transformer, and no gain showed above the noise).
    /// </summary>
    public static readonly IReadOnlySet<(string Family, string Precision)> FasterOnCpu = new HashSet<(string, string)>
    {
        ("detr", "fp32"), ("detr", "bf16"), ("yolov8", "fp32"), ("yolov8", "bf16"), ("yolov10", "fp32"), ("yolov10", "bf16"),
    };

    /// <summary>The setting resolved for a family (model.name) under the precision that runs.</summary>
    public static ChannelsLastChoice Resolve(string setting, string family, RunPrecision precision)
    {
        if (!Settings.Contains(setting))
            throw new ConfigException($"runtime.channels_last must be one of {string.Join(", ", Settings)}; got \"{setting}\"");
        if (setting != "auto") return new ChannelsLastChoice(setting == "true", "set");
        if (precision.Device.type != Torch.DeviceType.CPU)
            return new ChannelsLastChoice(false, $"auto: not measured on {precision.Device.type} (set true to try it)");
        return FasterOnCpu.Contains((family, precision.Name))
            ? new ChannelsLastChoice(true, $"auto: measured faster for {family} in {precision.Name} on the CPU")
            : new ChannelsLastChoice(false, $"auto: not measured faster for {family} in {precision.Name} on the CPU");
    }
}
