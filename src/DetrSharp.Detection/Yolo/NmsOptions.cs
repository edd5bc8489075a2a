namespace DetrSharp.Detection.Yolo;

/// <summary>
/// Settings of ultralytics' non_max_suppression as the YOLOv8 predictor and validator call it (default.yaml:
/// conf 0.25 to predict, 0.001 to validate, iou 0.7, max_det 300; the function's max_nms 30000 and max_wh 7680).
/// </summary>
public sealed record NmsOptions
{
    /// <summary>Boxes whose best class score is not above this are dropped.</summary>
    public double ConfThres { get; init; } = 0.25;
    /// <summary>Suppress a box whose IoU with a kept box of the same class is above this.</summary>
    public double IouThres { get; init; } = 0.7;
    /// <summary>Ignore classes: every box competes with every other.</summary>
    public bool Agnostic { get; init; }
    /// <summary>One row per (box, class) above the threshold instead of the best class only (only when nc &gt; 1).</summary>
    public bool MultiLabel { get; init; }
    /// <summary>Only these classes are kept (null: all).</summary>
    public IReadOnlyList<int>? Classes { get; init; }
    /// <summary>Detections kept per image.</summary>
    public int MaxDet { get; init; } = 300;
    /// <summary>At most this many highest-scoring rows enter the suppression.</summary>
    public int MaxNms { get; init; } = 30000;
    /// <summary>Class offset of the batched suppression (boxes of class c are shifted by c · MaxWh).</summary>
    public double MaxWh { get; init; } = 7680;
    /// <summary>Number of classes (0: all channels after the 4 box channels); later channels are carried as masks.</summary>
    public int NumClasses { get; init; }
    /// <summary>Images suppressed in parallel (-1: the thread pool's choice).</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>The predictor's settings (conf 0.25).</summary>
    public static NmsOptions Predict { get; } = new();
    /// <summary>The validator's settings (conf 0.001).</summary>
    public static NmsOptions Val { get; } = new() { ConfThres = 0.001 };

    internal void Validate()
    {
        if (!(ConfThres >= 0 && ConfThres <= 1)) throw new ArgumentOutOfRangeException(nameof(ConfThres), ConfThres, "NMS: the confidence threshold must be in [0, 1]");
        if (!(IouThres >= 0 && IouThres <= 1)) throw new ArgumentOutOfRangeException(nameof(IouThres), IouThres, "NMS: the IoU threshold must be in [0, 1]");
        if (MaxDet < 1) throw new ArgumentOutOfRangeException(nameof(MaxDet), MaxDet, "NMS: max_det must be at least 1");
        if (MaxNms < 1) throw new ArgumentOutOfRangeException(nameof(MaxNms), MaxNms, "NMS: max_nms must be at least 1");
        if (NumClasses < 0) throw new ArgumentOutOfRangeException(nameof(NumClasses), NumClasses, "NMS: the number of classes cannot be negative");
    }
}
