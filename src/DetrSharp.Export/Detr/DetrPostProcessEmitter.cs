using DetrSharp.Export.Graph;
using DetrSharp.Export.Proto;

namespace DetrSharp.Export.Detr;

/// <summary>
/// <see cref="DetrSharp.Detection.Detr.DetrPostProcess"/> as ONNX nodes, boxes left normalised (the runtime multiplies
/// them by each image's width and height, as PostProcess by its target size): softmax over the classes without the
/// no-object column, then either the <c>k</c> best (query, class) pairs of the image (model.topk_detections &gt; 0; TopK
/// over the flattened [Q · C] probabilities, sorted) or one detection per query with its best class (0: DETR's
/// PostProcess, in query order).
/// </summary>
public static class DetrPostProcessEmitter
{
    /// <param name="logits">[B, Q, C + 1]</param>
    /// <param name="boxes">[B, Q, 4] normalised cxcywh</param>
    /// <param name="topK">detections per image, 0 for one per query</param>
    /// <returns>boxes [B, k, 4] normalised xyxy, scores [B, k], labels [B, k] int64, and k</returns>
    public static (string Boxes, string Scores, string Labels, long K) Emit(OnnxGraph g, string logits, string boxes, long queries, long classes, int topK)
    {
        var prob = g.Op("Slice", [g.Softmax(logits, -1), g.Ints(0), g.Ints(classes), g.Ints(2)]);  // [B, Q, C]
        var xyxy = CxcywhToXyxy(g, boxes);                                                        // [B, Q, 4]
        if (topK == 0)
        {
            var scores = g.ReduceMax(prob, -1, keepDims: false);                                   // [B, Q]
            var labels = g.Op("ArgMax", prob, AttributeProto.Int("axis", -1), AttributeProto.Int("keepdims", 0)); // [B, Q]
            return (xyxy, scores, labels, queries);
        }
        long k = Math.Min(topK, queries * classes);
        var (top, flat) = g.TopK(g.Reshape(prob, 0, -1), k);                                      // [B, k], [B, k]
        var query = g.Op("Div", [flat, g.IntScalar(classes)]);                                    // integer division (non-negative)
        var label = g.Op("Mod", [flat, g.IntScalar(classes)]);
        return (g.GatherRows(xyxy, g.Unsqueeze(query, -1), 4), top, label, k);
    }

    // (cx - w/2, cy - h/2, cx + w/2, cy + h/2), as BoxOps.CxcywhToXyxy
    static string CxcywhToXyxy(OnnxGraph g, string boxes)
    {
        var parts = g.Split(boxes, 2, 2, 2);                                                     // [B, Q, 2] centres, sizes
        var half = g.Mul(parts[1], g.FloatScalar(0.5f));
        return g.Concat(2, g.Sub(parts[0], half), g.Add(parts[0], half));
    }
}
