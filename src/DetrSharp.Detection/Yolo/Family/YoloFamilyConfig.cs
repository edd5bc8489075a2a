using DetrSharp.Detection.Configuration;
using DetrSharp.Detection.Families;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// The <c>model</c> section of the YOLO families: which official definition and scale, the loss gains and the
/// assigner's top-k (v8DetectionLoss's defaults), and decoding (NMS thresholds for v8, max_det for both).
/// </summary>
public abstract record YoloFamilyConfig : ModelConfig
{
    /// <summary>Width/depth scale of the official definition: n, s, m, l, x (and b for YOLOv10).</summary>
    public string Scale { get; init; } = "n";
    /// <summary>A model YAML of the ultralytics layout to build instead of the shipped one (null = the shipped one).</summary>
    public string? Yaml { get; init; }
    public double BoxGain { get; init; } = 7.5;
    public double ClsGain { get; init; } = 0.5;
    public double DflGain { get; init; } = 1.5;
    /// <summary>Candidates per object of the task-aligned assigner (one-to-many; YOLOv10's one-to-one branch takes 1).</summary>
    public int TalTopk { get; init; } = 10;
    /// <summary>Confidence below which detections are dropped in evaluation (ultralytics val: 0.001).</summary>
    public double ConfThreshold { get; init; } = 0.001;
    /// <summary>IoU of the class-aware NMS (YOLOv8 only).</summary>
    public double IouThreshold { get; init; } = 0.7;
    public int MaxDet { get; init; } = 300;
    /// <summary>Class-agnostic NMS (YOLOv8 only).</summary>
    public bool Agnostic { get; init; }

    /// <summary>Scales the family's shipped definitions have.</summary>
    protected abstract string[] Scales { get; }

    /// <summary>The built-in model name (yolov8s, yolov10n ...).</summary>
    public string ModelName => Name + Scale;

    public override void Validate()
    {
        if (Yaml == null) ConfigException.OneOf(Scale, "model.scale", Scales);
        else ConfigException.Check(File.Exists(Yaml), $"model.yaml: file not found: {Yaml}");
        ConfigException.NonNegative(BoxGain, "model.box_gain");
        ConfigException.NonNegative(ClsGain, "model.cls_gain");
        ConfigException.NonNegative(DflGain, "model.dfl_gain");
        ConfigException.Check(TalTopk >= 1, $"model.tal_topk must be >= 1; got {TalTopk}");
        ConfigException.Check(ConfThreshold is >= 0 and <= 1, $"model.conf_threshold must be in [0, 1]; got {ConfThreshold}");
        ConfigException.Check(IouThreshold is >= 0 and <= 1, $"model.iou_threshold must be in [0, 1]; got {IouThreshold}");
        ConfigException.Check(MaxDet >= 1, $"model.max_det must be >= 1; got {MaxDet}");
        ConfigException.Check(NumClasses >= 1, $"the number of classes must be >= 1; got {NumClasses}");
    }
}

/// <summary>YOLOv8: anchor-free decoupled head, task-aligned assignment, CIoU + DFL + BCE, class-aware NMS.</summary>
public sealed record YoloV8Config : YoloFamilyConfig
{
    public override string Name => "yolov8";
    protected override string[] Scales => ["n", "s", "m", "l", "x"];
}

/// <summary>YOLOv10: YOLOv8's one-to-many head plus a one-to-one head trained jointly; NMS-free top-k decoding.</summary>
public sealed record YoloV10Config : YoloFamilyConfig
{
    public override string Name => "yolov10";
    protected override string[] Scales => ["n", "s", "m", "b", "l", "x"];
}
