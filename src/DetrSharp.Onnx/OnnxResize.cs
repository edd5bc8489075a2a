namespace DetrSharp.Onnx;

/// <summary>How <see cref="OnnxDetector"/> fits an image into a model's fixed input (metadata <see cref="OnnxMetadataKeys.Resize"/>).</summary>
public static class OnnxResize
{
    /// <summary>Scaled keeping the aspect ratio, placed top left, zero padding (<see cref="Letterbox"/>; YOLO).</summary>
    public const string Letterbox = "letterbox";
    /// <summary>Resized to exactly the input size (<see cref="StretchResize"/>; DETR, whose fixed-size graph has no padding mask).</summary>
    public const string Stretch = "stretch";
}
