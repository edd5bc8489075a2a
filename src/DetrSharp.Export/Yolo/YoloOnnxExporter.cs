using System.Globalization;
using System.Text.Json;
using DetrSharp.Detection.Yolo;
using DetrSharp.Export.Graph;
using DetrSharp.Export.Proto;
using DetrSharp.Onnx;
using DetrSharp.Torch;

namespace DetrSharp.Export.Yolo;

/// <summary>
/// Exports a YOLOv8 / YOLOv10 model (eval mode, as the libtorch model predicts) to one ONNX graph for a fixed input
/// size: input "images" [B, 3, H, W] RGB in [0, 1]. YOLOv8: "output0" [B, 4 + nc, A] ((cx, cy, w, h) input pixels,
/// class probabilities; NMS is the consumer's, or with
/// <see cref="OnnxExportOptions.Nms"/> ONNX's NonMaxSuppression in the graph: "detections" [N, 7]). YOLOv10: "boxes" [B, k, 4] xyxy input pixels, "scores" [B, k],
/// "labels" [B, k] int64 (the one-to-one top-k, no NMS) and "output0", the decoded one-to-one branch.
/// </summary>
public static class YoloOnnxExporter
{
    public static ModelProto Export(YoloModel model, OnnxExportOptions options)
    {
        options.Validate();
        long stride = (long)model.Strides.Max();
        var (h, w) = options.ImageSize;
        if (h % stride != 0 || w % stride != 0)
            throw new ArgumentException($"ONNX export: the input size {h}x{w} must be a multiple of the model's largest stride {stride}");
        if (options.ClassNames.Count != model.NumClasses)
            throw new ArgumentException($"ONNX export: {options.ClassNames.Count} class names for a model of {model.NumClasses} classes");
        var g = new OnnxGraph(options.Opset);
        object batch = options.DynamicBatch ? "batch" : 1L;
        g.Input(ValueInfoProto.Tensor("images", TensorDataType.Float, batch, 3L, h, w));

        using var noGrad = torch.no_grad();
        var outputs = new string[model.Layers.Count];
        string x = "images";
        var head = model.Head;
        string[]? levels = null;
        foreach (var layer in model.Layers)
        {
            int i = layer.Index;
            string Source(int f) => f == -1 ? x : outputs[f < 0 ? f + i : f];
            if (layer.Module is Detect) { levels = layer.From.Select(Source).ToArray(); break; }
            outputs[i] = layer.Module switch
            {
                Concat c => g.Concat(c.Dimension, layer.From.Select(Source).ToArray()),
                _ => YoloBlockEmitter.Emit(g, layer.Module, Source(layer.From[0])),
            };
            x = outputs[i];
        }
        if (levels == null) throw new NotSupportedException("ONNX export: the YOLO model has no head layer");
        var sizes = head.Stride.Select(s => (h / (long)s, w / (long)s)).ToArray();
        long anchors = sizes.Sum(s => s.Item1 * s.Item2);
        object[] rawShape = [batch, 4 + head.Nc, anchors];

        var meta = new Dictionary<string, string>
        {
            [OnnxMetadataKeys.Family] = model.IsEndToEnd ? "yolov10" : "yolov8",
            [OnnxMetadataKeys.ClassNames] = JsonSerializer.Serialize(options.ClassNames),
            [OnnxMetadataKeys.Input] = "images",
            [OnnxMetadataKeys.InputSize] = $"{h},{w}",
            [OnnxMetadataKeys.Stride] = stride.ToString(CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.ConfThreshold] = options.ConfThreshold.ToString("R", CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.IouThreshold] = options.IouThreshold.ToString("R", CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.MaxDet] = options.MaxDet.ToString(CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.Agnostic] = options.Agnostic ? "true" : "false",
        };
        if (head is V10Detect v10)
        {
            if (options.Nms) throw new ArgumentException("ONNX export: --nms is for YOLOv8; YOLOv10 selects its detections without NMS (its top-k is in the graph)");
            var (decoded, raw) = DetectEmitter.Decoded(g, head, levels, sizes, v10.one2one_cv2, v10.one2one_cv3);
            var (boxes, scores, labels) = DetectEmitter.TopK(g, decoded, anchors, head.Nc, options.MaxDet);
            long k = Math.Min(options.MaxDet, Math.Min(options.MaxDet, anchors) * head.Nc);
            g.Output(boxes, ValueInfoProto.Tensor("boxes", TensorDataType.Float, batch, k, 4L));
            g.Output(scores, ValueInfoProto.Tensor("scores", TensorDataType.Float, batch, k));
            g.Output(labels, ValueInfoProto.Tensor("labels", TensorDataType.Int64, batch, k));
            g.Output(decoded, ValueInfoProto.Tensor("output0", TensorDataType.Float, rawShape));
            meta[OnnxMetadataKeys.Outputs] = "boxes,scores,labels,output0";
            if (options.RawOutputs) g.Output(raw, ValueInfoProto.Tensor("raw0", TensorDataType.Float, batch, head.No, anchors));
        }
        else
        {
            var (decoded, raw) = DetectEmitter.Decoded(g, head, levels, sizes, head.cv2, head.cv3);
            g.Output(decoded, ValueInfoProto.Tensor("output0", TensorDataType.Float, rawShape));
            meta[OnnxMetadataKeys.Outputs] = "output0";
            if (options.Nms)
            {
                var detections = NmsEmitter.Append(g, decoded, head.Nc, options.MaxDet, (float)options.ConfThreshold, (float)options.IouThreshold, options.Agnostic);
                g.Output(detections, ValueInfoProto.Tensor("detections", TensorDataType.Float, "detections", (long)GraphNmsRows.Columns));
                meta[OnnxMetadataKeys.Outputs] = "output0,detections";
                meta[OnnxMetadataKeys.Nms] = "graph";
            }
            if (options.RawOutputs) g.Output(raw, ValueInfoProto.Tensor("raw0", TensorDataType.Float, batch, head.No, anchors));
        }
        return g.ToModel(meta);
    }
}
