using System.Globalization;
using System.Text.Json;
using DetrSharp.Detection.Detr;
using DetrSharp.Detection.Models;
using DetrSharp.Export.Graph;
using DetrSharp.Export.Modules;
using DetrSharp.Export.Proto;
using DetrSharp.Onnx;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Detr;

/// <summary>
/// Exports DETR (eval mode, as the libtorch model predicts) to one ONNX graph for a fixed input size without padding:
/// input "images" [B, 3, H, W] RGB in [0, 1] (the ImageNet normalisation is the graph's first nodes), the ResNet body
/// with its norms folded, input_proj, the position encodings as constants (<see cref="PositionEmbeddingConstant"/>), the
/// transformer (<see cref="DetrTransformerEmitter"/>), the last decoder layer's class and box heads. Outputs: the raw
/// "pred_logits" [B, Q, C + 1] and "pred_boxes" [B, Q, 4] (normalised cxcywh), and the post-processed "boxes" [B, k, 4]
/// (normalised xyxy), "scores" [B, k], "labels" [B, k] int64 (<see cref="DetrPostProcessEmitter"/>).
/// </summary>
public static class DetrOnnxExporter
{
    /// <param name="topK">model.topk_detections: the k best (query, class) pairs, or 0 for one detection per query</param>
    public static ModelProto Export(DETR model, OnnxExportOptions options, int topK)
    {
        options.Validate();
        if (model.AnchorBoxes) throw new NotSupportedException("ONNX export: DETR with anchor-box queries (model.anchor_boxes) is not exported yet");
        if (topK < 0) throw new ArgumentOutOfRangeException(nameof(topK), topK, "ONNX export: model.topk_detections must be >= 0");
        var body = model.Backbone.Backbone?.Body ?? throw new NotSupportedException("ONNX export: DETR's backbone is not a ResNet");
        if (model.Backbone.Backbone.ReturnIntermediateLayers) throw new NotSupportedException("ONNX export: a DETR backbone returning every stage (segmentation)");
        if (options.ClassNames.Count != model.NumClasses)
            throw new ArgumentException($"ONNX export: {options.ClassNames.Count} class names for a model of {model.NumClasses} classes");
        var (h, w) = options.ImageSize;
        long d = model.HiddenDim, q = model.NumQueries, classes = model.NumClasses;
        var g = new OnnxGraph(options.Opset);
        object batch = options.DynamicBatch ? "batch" : 1L;
        g.Input(ValueInfoProto.Tensor("images", TensorDataType.Float, batch, 3L, h, w));

        using var noGrad = torch.no_grad();
        var level = PositionEmbeddingConstant.Levels(model.Backbone, h, w)[^1];
        // (x - mean) / std as x · (1 / std) + (-mean / std), per channel
        var scale = g.Weight("pixel_scale", DetectionBatch.PixelStd.Select(s => 1f / s).ToArray(), 1, 3, 1, 1);
        var shift = g.Weight("pixel_shift", DetectionBatch.PixelMean.Zip(DetectionBatch.PixelStd, (m, s) => -m / s).ToArray(), 1, 3, 1, 1);
        var normalised = g.Add(g.Mul("images", scale), shift);                                     // [B, 3, H, W]
        var features = ResNetEmitter.Stages(g, body, normalised)[^1];                              // [B, C_backbone, h, w]
        var projected = ConvEmitter.Conv2d(g, TensorValues.Child<Conv2d>(model, "input_proj"), features); // [B, D, h, w]
        var src = g.Transpose(g.Reshape(projected, 0, d, -1), 0, 2, 1);                          // [B, hw, D]
        var pos = g.Weight("pos", level.Sequence, 1, level.Height * level.Width, d);               // [1, hw, D]
        var memory = DetrTransformerEmitter.Encoder(g, model.Transformer.Encoder, src, pos);        // [B, hw, D]
        var queryEmbed = TensorValues.Child<Embedding>(model, "query_embed");
        var queryPos = g.Weight("query_pos", TensorValues.Floats(queryEmbed.weight), 1, q, d);     // [1, Q, D]
        var hs = DetrTransformerEmitter.Decoder(g, model.Transformer.Decoder, memory, pos, queryPos, q, d); // [B, Q, D]
        // the heads on the last decoder layer's output
        var logits = LinearEmitter.Emit(g, TensorValues.Child<Linear>(model, "class_embed"), hs);  // [B, Q, C + 1]
        var boxes = g.Op("Sigmoid", MlpEmitter.Emit(g, TensorValues.Child<MLP>(model, "bbox_embed"), hs)); // [B, Q, 4]
        var (outBoxes, scores, labels, k) = DetrPostProcessEmitter.Emit(g, logits, boxes, q, classes, topK);

        g.Output(logits, ValueInfoProto.Tensor("pred_logits", TensorDataType.Float, batch, q, classes + 1));
        g.Output(boxes, ValueInfoProto.Tensor("pred_boxes", TensorDataType.Float, batch, q, 4L));
        g.Output(outBoxes, ValueInfoProto.Tensor("boxes", TensorDataType.Float, batch, k, 4L));
        g.Output(scores, ValueInfoProto.Tensor("scores", TensorDataType.Float, batch, k));
        g.Output(labels, ValueInfoProto.Tensor("labels", TensorDataType.Int64, batch, k));
        var meta = new Dictionary<string, string>
        {
            [OnnxMetadataKeys.Family] = "detr",
            [OnnxMetadataKeys.ClassNames] = JsonSerializer.Serialize(options.ClassNames),
            [OnnxMetadataKeys.Input] = "images",
            [OnnxMetadataKeys.InputSize] = $"{h},{w}",
            [OnnxMetadataKeys.Stride] = (h / level.Height).ToString(CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.ConfThreshold] = options.ConfThreshold.ToString("R", CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.IouThreshold] = "0",
            [OnnxMetadataKeys.MaxDet] = k.ToString(CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.Agnostic] = "true",
            [OnnxMetadataKeys.Outputs] = "boxes,scores,labels,pred_logits,pred_boxes",
            [OnnxMetadataKeys.Resize] = OnnxResize.Stretch,
            [OnnxMetadataKeys.PixelMean] = string.Join(",", DetectionBatch.PixelMean.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
            [OnnxMetadataKeys.PixelStd] = string.Join(",", DetectionBatch.PixelStd.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
            [OnnxMetadataKeys.PostProcess] = topK > 0 ? $"topk {k}" : "per_query",
        };
        return g.ToModel(meta);
    }
}
