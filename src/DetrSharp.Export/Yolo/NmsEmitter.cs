using DetrSharp.Export.Graph;
using DetrSharp.Export.Proto;
using DetrSharp.Onnx;

namespace DetrSharp.Export.Yolo;

/// <summary>
/// YOLOv8's NMS as ONNX's NonMaxSuppression (opset 10+ semantics; the exporter writes 13+) after the decoded output, so
/// that a runtime gets final detections: each anchor keeps only its best class's score (ultralytics' single-label NMS;
/// ArgMax picks the first class of a tie, as the project's NMS does), NonMaxSuppression runs per image and class
/// (class-agnostic: on the best score alone) with center_point_box = 1 on the (cx, cy, w, h) rows, score threshold
/// conf (kept when above it), IoU threshold iou (suppressed when above it) and at most max_det boxes per class. The
/// selected (image, anchor) rows are gathered as xyxy boxes, score and class. What the graph cannot do on a flat list
/// is left to the consumer: the rows come grouped by image and class, so the highest max_det per image are taken
/// after sorting by score (OnnxDetector does); ultralytics' max_nms cap (30000 candidates) is not applied (a 640 px
/// input has 8400 anchors).
/// </summary>
public static class NmsEmitter
{
    /// <param name="decoded">[B, 4 + nc, A]: (cx, cy, w, h) input pixels, class probabilities</param>
    /// <returns>[N, 7] float: image, x1, y1, x2, y2 (input pixels), score, class (read by <see cref="GraphNmsRows"/>)</returns>
    public static string Append(OnnxGraph g, string decoded, long nc, int maxDet, float conf, float iou, bool agnostic)
    {
        var parts = g.Split(decoded, 1, 4, nc);
        var boxes = g.Transpose(parts[0], 0, 2, 1);                                             // [B, A, 4] cxcywh
        var scores = parts[1];                                                                  // [B, nc, A]
        var best = g.ReduceMax(scores, 1, keepDims: true);                                      // [B, 1, A]
        var label = g.Op("ArgMax", scores, AttributeProto.Int("axis", 1), AttributeProto.Int("keepdims", 1)); // [B, 1, A] int64
        string nmsScores = best;                                                                // agnostic: one "class"
        if (!agnostic)
        {
            // only the best class's score stays (one class per anchor, ties to the first): Equal(class index, ArgMax)
            var classIndex = g.Reshape(g.Ints(Enumerable.Range(0, (int)nc).Select(c => (long)c).ToArray()), 1, nc, 1); // [1, nc, 1]
            nmsScores = g.Op("Where", [g.Op("Equal", [classIndex, label]), scores, g.FloatScalar(0f)]);               // [B, nc, A]
        }
        var selected = g.Op("NonMaxSuppression", [boxes, nmsScores, g.Ints(maxDet), g.FloatScalar(iou), g.FloatScalar(conf)],
            AttributeProto.Int("center_point_box", 1));                                         // [N, 3]: image, class, anchor
        var imageAnchor = g.Op("Gather", [selected, g.Ints(0, 2)], AttributeProto.Int("axis", 1)); // [N, 2]
        var image = g.Op("Gather", [selected, g.Ints(0)], AttributeProto.Int("axis", 1));      // [N, 1]

        var cw = g.Split(g.Op("GatherND", [boxes, imageAnchor]), 1, 2, 2);                      // [N, 2] centre, [N, 2] size
        var half = g.Mul(cw[1], g.FloatScalar(0.5f));
        var score = g.Op("GatherND", [g.Transpose(best, 0, 2, 1), imageAnchor]);                // [B, A, 1] → [N, 1]
        var cls = g.Op("GatherND", [g.Transpose(label, 0, 2, 1), imageAnchor]);                 // [N, 1] int64
        return g.Concat(1, Float(g, image), g.Sub(cw[0], half), g.Add(cw[0], half), score, Float(g, cls)); // [N, 7]
    }

    static string Float(OnnxGraph g, string x) => g.Op("Cast", x, AttributeProto.Int("to", (long)TensorDataType.Float));
}
