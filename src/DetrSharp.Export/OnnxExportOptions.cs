using DetrSharp.Export.Graph;

namespace DetrSharp.Export;

/// <summary>What an ONNX export writes: opset, batch dimension, the fixed input size, class names, decoding settings.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The ai.onnx opset (<see cref="OnnxOpsets.Min"/> to <see cref="OnnxOpsets.Max"/>).</summary>
    public int Opset { get; init; } = OnnxOpsets.Default;
    /// <summary>A symbolic batch dimension ("batch") instead of 1.</summary>
    public bool DynamicBatch { get; init; }
    /// <summary>The input's (height, width) in pixels, a multiple of the model's largest stride.</summary>
    public (long Height, long Width) ImageSize { get; init; } = (640, 640);
    /// <summary>One name per class, in label order (stored in the metadata).</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];
    /// <summary>Detections kept per image (YOLOv10's top-k in the graph; YOLOv8's NMS limit in the metadata).</summary>
    public int MaxDet { get; init; } = 300;
    /// <summary>Score threshold the runtime applies (metadata).</summary>
    public double ConfThreshold { get; init; } = 0.001;
    /// <summary>NMS IoU threshold for YOLOv8 (metadata).</summary>
    public double IouThreshold { get; init; } = 0.7;
    /// <summary>Class-agnostic NMS for YOLOv8 (metadata).</summary>
    public bool Agnostic { get; init; }
    /// <summary>YOLOv8: append ONNX's NonMaxSuppression after "output0" and output the final detections as "detections"
    /// [N, 7] (image, x1, y1, x2, y2, score, class; see Yolo.NmsEmitter). Not for YOLOv10 (its top-k needs no NMS).</summary>
    public bool Nms { get; init; }
    /// <summary>Also output "raw0": the head's maps before decoding, [B, 4 · reg_max + nc, A] (for parity checks).</summary>
    public bool RawOutputs { get; init; }

    public void Validate()
    {
        if (Opset is < OnnxOpsets.Min or > OnnxOpsets.Max)
            throw new ArgumentOutOfRangeException(nameof(Opset), Opset, $"ONNX export: opset must be between {OnnxOpsets.Min} and {OnnxOpsets.Max}");
        if (ImageSize.Height <= 0 || ImageSize.Width <= 0)
            throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize, "ONNX export: the input size must be positive");
        if (MaxDet < 1) throw new ArgumentOutOfRangeException(nameof(MaxDet), MaxDet, "ONNX export: max_det must be at least 1");
    }
}
