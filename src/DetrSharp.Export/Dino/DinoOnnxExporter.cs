using System.Globalization;
using System.Text.Json;
using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Models;
using DetrSharp.Export.Graph;
using DetrSharp.Export.Modules;
using DetrSharp.Export.Proto;
using DetrSharp.Onnx;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Dino;

/// <summary>
/// Exports DINO (inference: no denoising queries) to one ONNX graph for a fixed, unpadded input: "images" [B, 3, H, W]
/// RGB in [0, 1] (normalised inside the graph as the collate step does); the ResNet body with its norms folded; the
/// input projections (conv + GroupNorm, extra stride-2 levels); position embeddings + level_embed, the encoder's
/// reference points and the two-stage proposals as constants of the export size (<see cref="DinoExportConstants"/>);
/// the deformable encoder; two-stage selection (ReduceMax, TopK of the encoder's class scores, GatherElements of the
/// boxes); the decoder with iterative box refinement; the last layer's heads. Outputs: "pred_logits" [B, Q, K],
/// "pred_boxes" [B, Q, 4] (normalised cxcywh) and DINO's PostProcess inside the graph: "scores" [B, n] (sigmoid,
/// top n = num_select of queries × classes), "labels" [B, n] int64, "boxes" [B, n, 4] normalised xyxy.
/// </summary>
public static class DinoOnnxExporter
{
    public static ModelProto Export(DINO model, OnnxExportOptions options)
    {
        options.Validate();
        if (options.Opset < MsDeformAttnEmitter.MinOpset)
            throw new NotSupportedException(
                $"ONNX export: DINO's deformable attention samples with GridSample, which ONNX has from opset {MsDeformAttnEmitter.MinOpset}; got opset {options.Opset} (use --opset {MsDeformAttnEmitter.MinOpset} or later)");
        var config = model.Config;
        if (options.ClassNames.Count != config.NumClasses)
            throw new ArgumentException($"ONNX export: {options.ClassNames.Count} class names for a model of {config.NumClasses} classes");
        var backbone = model.Backbone.Backbone ?? throw new NotSupportedException("ONNX export: DINO's backbone must be a ResNet");
        var (h, w) = options.ImageSize;
        using var noGrad = torch.no_grad();
        var k = DinoExportConstants.Compute(model, h, w);
        var shapes = k.Shapes;
        long c = model.Transformer.DModel, s = shapes.Total, q = config.NumQueries, classes = config.NumClasses;
        if (q > s) throw new ArgumentException($"ONNX export: {q} queries but only {s} encoder tokens at {h}x{w} to select them from");

        var g = new OnnxGraph(options.Opset);
        object batch = options.DynamicBatch ? "batch" : 1L;
        g.Input(ValueInfoProto.Tensor("images", TensorDataType.Float, batch, 3L, h, w));

        // as Collate: pixel · 1 / (255 · std) + (−mean / std), the pixel being images · 255
        var scale = Enumerable.Range(0, 3).Select(i => 1f / (255f * DetectionBatch.PixelStd[i])).ToArray();
        var shift = Enumerable.Range(0, 3).Select(i => -DetectionBatch.PixelMean[i] / DetectionBatch.PixelStd[i]).ToArray();
        var x = g.Add(g.Mul(g.Mul("images", g.FloatScalar(255f)), g.Weight("pixel_scale", scale, 1, 3, 1, 1)), g.Weight("pixel_shift", shift, 1, 3, 1, 1));

        // backbone levels, then input_proj (conv + GroupNorm) per level and the extra stride-2 levels
        var stages = ResNetEmitter.Stages(g, backbone.Body, x);
        var body = backbone.ReturnIntermediateLayers ? stages : [stages[^1]];
        var kept = model.Backbone.ReturnIndices.Select(i => body[i]).ToArray();
        var inputProj = TensorValues.Child<ModuleList<Sequential>>(model, "input_proj");
        var srcs = new List<string>();
        for (int l = 0; l < shapes.Count; l++)
        {
            var (lh, lw) = shapes[l];
            var proj = inputProj[l];
            var source = l < kept.Length ? kept[l] : l == kept.Length ? kept[^1] : srcs[^1];
            var conv = ConvEmitter.Conv2d(g, (Conv2d)proj[0], source);
            srcs.Add(GroupNormEmitter.Emit(g, (GroupNorm)proj[1], conv, c, lh, lw));         // [B, C, h, w]
        }
        var src = g.Concat(1, srcs.Select((t, l) => g.Transpose(g.Reshape(t, 0, c, shapes[l].H * shapes[l].W), 0, 2, 1)).ToArray()); // [B, S, C]
        var pos = g.Weight("dino_pos", k.Position, 1, s, c);                                       // [1, S, C]
        var points = g.Weight("dino_enc_points", k.EncoderPoints, 1, s, shapes.Count, 2);          // [1, S, L, 2]

        var memory = src;
        foreach (var layer in model.Transformer.Encoder.Layers)
            memory = DinoLayerEmitter.Encoder(g, layer, memory, pos, points, shapes);              // [B, S, C]

        // two-stage "standard": score every token, keep the top num_queries
        var transformer = model.Transformer;
        var outputMemory = k.Valid is { } valid ? g.Mul(memory, g.Weight("dino_valid", valid, 1, s, 1)) : memory;
        outputMemory = LayerNormEmitter.Emit(g, TensorValues.Child<LayerNorm>(transformer, "enc_output_norm"),
            LinearEmitter.Emit(g, TensorValues.Child<Linear>(transformer, "enc_output"), outputMemory));
        var classUnselected = LinearEmitter.Emit(g, transformer.EncOutClassEmbed, outputMemory);                   // [B, S, K]
        var coordUnselected = g.Add(MlpEmitter.Emit(g, TensorValues.Child<MLP>(transformer, "enc_out_bbox_embed"), outputMemory),
            g.Weight("dino_proposals", k.Proposals, 1, s, 4));                                                   // [B, S, 4] logit
        var (_, topk) = g.TopK(g.ReduceMax(classUnselected, -1, keepDims: false), q);                           // [B, Q]
        var reference = g.Op("Sigmoid", g.GatherRows(coordUnselected, g.Unsqueeze(topk, -1), 4));              // [B, Q, 4]
        var tgtWeight = TensorValues.Child<Embedding>(transformer, "tgt_embed").weight;
        var tgt = g.Weight("dino_tgt", TensorValues.Floats(tgtWeight), 1, q, c);                                // [1, Q, C]

        // decoder with iterative box refinement; the heads on the last layer
        var decoder = transformer.Decoder;
        var norm = TensorValues.Child<LayerNorm>(decoder, "norm");
        var refPointHead = TensorValues.Child<MLP>(decoder, "ref_point_head");
        var bboxEmbed = TensorValues.Child<ModuleList<MLP>>(model, "bbox_embed");
        var classEmbed = TensorValues.Child<ModuleList<Linear>>(model, "class_embed");
        var output = tgt;
        int last = decoder.Layers.Count - 1;
        for (int l = 0; l <= last; l++)
        {
            var queryPos = MlpEmitter.Emit(g, refPointHead, DinoLayerEmitter.SineEmbedding(g, reference, q, k.SineDivisors)); // [B, Q, C]
            output = DinoLayerEmitter.Decoder(g, decoder.Layers[l], output, queryPos, reference, q, memory, shapes);
            if (l == last) break;
            var delta = MlpEmitter.Emit(g, bboxEmbed[l], output);
            reference = g.Op("Sigmoid", g.Add(delta, DinoLayerEmitter.InverseSigmoid(g, reference)));
        }
        var hs = LayerNormEmitter.Emit(g, norm, output);                                                    // [B, Q, C]
        var predBoxes = g.Op("Sigmoid", g.Add(MlpEmitter.Emit(g, bboxEmbed[last], hs), DinoLayerEmitter.InverseSigmoid(g, reference))); // [B, Q, 4]
        var predLogits = LinearEmitter.Emit(g, classEmbed[last], hs);                                          // [B, Q, K]

        // DinoPostProcess: sigmoid, top num_select of queries × classes, label = index % K, query = index / K
        long select = Math.Min(options.MaxDet, q * classes);
        var prob = g.Reshape(g.Op("Sigmoid", predLogits), 0, q * classes);                                       // [B, Q·K]
        var (scores, index) = g.TopK(prob, select);                                                              // [B, n]
        var kConst = g.IntScalar(classes);
        var labels = g.Op("Mod", [index, kConst]);
        var queryIndex = g.Op("Div", [index, kConst]);
        var halves = g.Split(predBoxes, -1, 2, 2);
        var half = g.Mul(halves[1], g.FloatScalar(0.5f));
        var xyxy = g.Concat(-1, g.Sub(halves[0], half), g.Add(halves[0], half));                                // [B, Q, 4]
        var boxes = g.GatherRows(xyxy, g.Unsqueeze(queryIndex, -1), 4);                                          // [B, n, 4]

        g.Output(boxes, ValueInfoProto.Tensor("boxes", TensorDataType.Float, batch, select, 4L));
        g.Output(scores, ValueInfoProto.Tensor("scores", TensorDataType.Float, batch, select));
        g.Output(labels, ValueInfoProto.Tensor("labels", TensorDataType.Int64, batch, select));
        g.Output(predLogits, ValueInfoProto.Tensor("pred_logits", TensorDataType.Float, batch, q, classes));
        g.Output(predBoxes, ValueInfoProto.Tensor("pred_boxes", TensorDataType.Float, batch, q, 4L));
        var meta = new Dictionary<string, string>
        {
            [OnnxMetadataKeys.Family] = "dino",
            [OnnxMetadataKeys.ClassNames] = JsonSerializer.Serialize(options.ClassNames),
            [OnnxMetadataKeys.Input] = "images",
            [OnnxMetadataKeys.InputSize] = $"{h},{w}",
            [OnnxMetadataKeys.Outputs] = "boxes,scores,labels,pred_logits,pred_boxes",
            [OnnxMetadataKeys.ConfThreshold] = options.ConfThreshold.ToString("R", CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.IouThreshold] = "0",
            [OnnxMetadataKeys.MaxDet] = select.ToString(CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.Agnostic] = "false",
            [OnnxMetadataKeys.Resize] = OnnxResize.Stretch,
            [OnnxMetadataKeys.PixelMean] = string.Join(",", DetectionBatch.PixelMean.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
            [OnnxMetadataKeys.PixelStd] = string.Join(",", DetectionBatch.PixelStd.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
            [OnnxMetadataKeys.PostProcess] = $"topk {select}",
        };
        return g.ToModel(meta);
    }
}
