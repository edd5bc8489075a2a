namespace DetrSharp.Onnx;

/// <summary>
/// The metadata_props an exported DetrSharp model carries (written by DetrSharp.Export, read by
/// <see cref="OnnxDetector"/>): family, class names (a JSON array), the input's name and fixed size, the outputs and the
/// decoding settings of the run it came from.
/// </summary>
public static class OnnxMetadataKeys
{
    public const string Family = "detrsharp.family";
    public const string ClassNames = "detrsharp.class_names";
    public const string Input = "detrsharp.input";
    /// <summary>"H,W" in pixels.</summary>
    public const string InputSize = "detrsharp.input_size";
    public const string Outputs = "detrsharp.outputs";
    public const string Stride = "detrsharp.stride";
    public const string ConfThreshold = "detrsharp.conf_threshold";
    public const string IouThreshold = "detrsharp.iou_threshold";
    public const string MaxDet = "detrsharp.max_det";
    public const string Agnostic = "detrsharp.agnostic";
    /// <summary>How an image is fitted into the input: <see cref="OnnxResize.Letterbox"/> (the default when absent) or <see cref="OnnxResize.Stretch"/>.</summary>
    public const string Resize = "detrsharp.resize";
    /// <summary>"R,G,B" the graph subtracts from RGB in [0, 1] (documentation: the normalisation is inside the graph).</summary>
    public const string PixelMean = "detrsharp.pixel_mean";
    /// <summary>"R,G,B" the graph divides by after the mean.</summary>
    public const string PixelStd = "detrsharp.pixel_std";
    /// <summary>DETR: "topk K" (the K best (query, class) pairs) or "per_query" (DETR's PostProcess).</summary>
    public const string PostProcess = "detrsharp.postprocess";
    /// <summary>"graph" when YOLOv8's NMS is in the graph (output "detections"); absent when the consumer runs it.</summary>
    public const string Nms = "detrsharp.nms";
}
