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
    /// ultralytics' detection recipe (default.yaml) where the run's sections differ from DETR's: optimizer "auto" (AdamW
    /// at the fitted lr for runs of up to 10,000 optimizer steps, else SGD), lr0 0.01 with no separate backbone rate,
    /// SGD momentum 0.937, weight decay 5e-4 off norm weights and biases, nominal batch 16 (ultralytics: 64; adapted for a
    /// 2-core CPU, whose 15-minute run has about 4,000 batches: every batch of 16 an optimizer step),
    /// clipping 10, ModelEMA 0.9999 with tau 2000, batch 16; warm-up of 3 epochs (at least 100 steps) with the bias lr
    /// from 0.1 and momentum from 0.8, then the linear schedule to lrf 0.01 stepped per epoch; and its augmentation (data.augment yolo: mosaic, random
    /// perspective, HSV, flip, letterboxed validation).
    /// </summary>
    public IReadOnlyDictionary<string, string> RunDefaults { get; } = new Dictionary<string, string>
    {
        ["optim.optimizer"] = "\"auto\"", ["optim.lr"] = "0.01", ["optim.lr_backbone"] = "0.01", ["optim.sgd_momentum"] = "0.937",
        ["optim.weight_decay"] = "0.0005", ["optim.nominal_batch_size"] = "16", ["optim.clip_max_norm"] = "10",
        ["optim.ema"] = "0.9999", ["optim.ema_tau"] = "2000",
        ["schedule.warmup_epochs"] = "3", ["schedule.warmup_steps"] = "100", ["schedule.warmup_start_factor"] = "0",
        ["schedule.warmup_bias_lr"] = "0.1", ["schedule.warmup_momentum"] = "0.8",
        ["schedule.lr_schedule"] = "\"linear\"", ["schedule.lr_update"] = "\"epoch\"", ["schedule.lrf"] = "0.01",
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
