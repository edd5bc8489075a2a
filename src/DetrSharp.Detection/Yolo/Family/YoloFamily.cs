using DetrSharp.Detection.Families;

namespace DetrSharp.Detection.Yolo;

/// <summary>The YOLOv8 and YOLOv10 families: the official definitions built by parse_model, their losses and decoding.</summary>
public sealed class YoloFamily : IDetectorFamily
{
    public static YoloFamily V8 { get; } = new("yolov8", new YoloV8Config(),
        "YOLOv8 (anchor-free decoupled head, task-aligned assignment, CIoU + DFL + BCE, class-aware NMS)");
    public static YoloFamily V10 { get; } = new("yolov10", new YoloV10Config(),
        "YOLOv10 (YOLOv8's head plus a one-to-one branch: NMS-free top-k detections)");

    YoloFamily(string name, YoloFamilyConfig defaults, string description)
    {
        Name = name;
        Defaults = defaults;
        Description = description;
    }

    public string Name { get; }
    public string Description { get; }
    public Type ConfigType => Defaults.GetType();
    public ModelConfig Defaults { get; }

    /// <summary>
    /// ultralytics' recipe where the run's sections differ from DETR's: AdamW (its "auto" choice for short runs) at
    /// lr 0.002 without a separate backbone rate, weight decay 5e-4 off BatchNorm and biases, gradient clipping 10,
    /// batch 16, and its augmentation (data.augment yolo: mosaic, random perspective, HSV, flip, letterboxed validation).
    /// </summary>
    public IReadOnlyDictionary<string, string> RunDefaults { get; } = new Dictionary<string, string>
    {
        ["optim.lr"] = "0.002", ["optim.lr_backbone"] = "0.002", ["optim.weight_decay"] = "0.0005", ["optim.clip_max_norm"] = "10",
        ["data.batch_size"] = "16",
        ["data.augment"] = "\"yolo\"",
    };

    public IDetector Build(ModelConfig config, DetectorBuildOptions options)
    {
        var c = config as YoloFamilyConfig ?? throw new ArgumentException($"the {Name} family takes a {ConfigType.Name}, not {config.GetType().Name}", nameof(config));
        c.Validate();
        var definition = c.Yaml != null ? YoloConfig.FromFile(c.Yaml, c.Scale) : YoloConfig.BuiltIn(c.ModelName);
        var model = YoloModel.Build(definition, c.NumClasses);
        if (model.IsEndToEnd != (Name == "yolov10"))
            throw new ArgumentException($"model.yaml {c.Yaml}: its head is {(model.IsEndToEnd ? "v10Detect" : "Detect")}, which the {Name} family does not take");
        if (options.Device.type != Torch.DeviceType.CPU) model.to(options.Device);
        return new YoloDetector(Name, model, c);
    }
}
