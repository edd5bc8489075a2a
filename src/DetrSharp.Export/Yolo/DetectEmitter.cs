using DetrSharp.Detection.Yolo;
using DetrSharp.Export.Graph;
using DetrSharp.Export.Proto;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Yolo;

/// <summary>
/// The YOLO head as ONNX nodes: per level the box and class branches, then Detect.inference (the DFL expectation as
/// a softmax over the bins and a MatMul with 0..reg_max-1, dist2bbox around the anchor points, times the strides, in
/// float64 rounded once to float32; sigmoid scores), and YOLOv10's one-to-one top-k (v10postprocess: TopK of the best
/// class score, GatherElements, TopK over the kept (anchor, class) scores). Anchors and strides are initializers made by <see cref="YoloAnchors"/>
/// for the export's fixed input size.
/// </summary>
public static class DetectEmitter
{
    /// <summary>One branch decoded.</summary>
    /// <param name="levels">per level [B, ch_l, H_l, W_l]</param>
    /// <param name="sizes">(H_l, W_l) of each level</param>
    /// <returns>[B, 4 + nc, A]: (cx, cy, w, h) in input pixels, then class probabilities; and the maps before decoding [B, no, A]</returns>
    public static (string Decoded, string Raw) Decoded(OnnxGraph g, Detect head, IReadOnlyList<string> levels, IReadOnlyList<(long H, long W)> sizes,
        ModuleList<Sequential> boxes, ModuleList<Sequential> classes)
    {
        long no = head.No, bins = head.RegMax, nc = head.Nc;
        var flats = new string[levels.Count];
        for (int i = 0; i < levels.Count; i++)
        {
            var box = YoloBlockEmitter.Emit(g, boxes[i], levels[i]);             // [B, 4 bins, H, W]
            var cls = YoloBlockEmitter.Emit(g, classes[i], levels[i]);           // [B, nc, H, W]
            flats[i] = g.Reshape(g.Concat(1, box, cls), 0, no, -1);              // [B, no, H W]
        }
        var cat = g.Concat(2, flats);                                            // [B, no, A]
        long a = sizes.Sum(s => s.H * s.W);
        var parts = g.Split(cat, 1, 4 * bins, nc);
        // The decode runs in float64 and is rounded to float32 once at the end: every box coordinate is the exact decode of
        // the head's float32 maps, correctly rounded. In float32 the expectation over spread DFL distributions and the
        // anchor arithmetic round several times (up to ~3 ulp of the coordinate, libtorch's own decode as much), which on
        // boxes of hundreds of pixels is ~1e-4 px; of the decode's rounding, only libtorch's is left between the engines.
        var bins4 = g.Softmax(g.Reshape(Double(g, parts[0]), 0, 4, bins, a), 2);   // [B, 4, bins, A] float64
        var proj = Double(g, g.Weight("dfl_proj", Enumerable.Range(0, (int)bins).Select(i => (float)i).ToArray(), 1, bins));
        var dist = g.Reshape(g.Op("MatMul", [proj, bins4]), 0, 4, a);            // [1, bins] @ [B, 4, bins, A] → [B, 4, A]

        var (anchorT, strideT) = YoloAnchors.MakeAnchors(sizes, head.Stride);   // [A, 2], [A, 1]
        float[] anchorValues, strideValues;
        using (anchorT)
        using (strideT)
        using (var xy = anchorT.t().contiguous())
        {
            anchorValues = xy.data<float>();                                     // [2, A]: x then y
            strideValues = strideT.contiguous().data<float>();
        }
        // cell centres (k + 0.5) and strides are exact in float32, so exact in float64 too
        var anchors = Double(g, g.Weight("anchors", anchorValues, 1, 2, a));
        var strides = Double(g, g.Weight("strides", strideValues, 1, 1, a));
        var ltrb = g.Split(dist, 1, 2, 2);                                       // Detect.inference's order: dist2bbox, then × stride
        var x1y1 = g.Sub(anchors, ltrb[0]);
        var x2y2 = g.Add(anchors, ltrb[1]);
        var centre = g.Op("Div", [g.Add(x1y1, x2y2), Double(g, g.FloatScalar(2f))]);
        var wh = g.Sub(x2y2, x1y1);
        var pixels = g.Op("Cast", g.Mul(g.Concat(1, centre, wh), strides), AttributeProto.Int("to", (long)TensorDataType.Float)); // [B, 4, A]
        return (g.Concat(1, pixels, g.Op("Sigmoid", parts[1])), cat);           // [B, 4 + nc, A], [B, no, A]
    }

    static string Double(OnnxGraph g, string x) => g.Op("Cast", x, AttributeProto.Int("to", (long)TensorDataType.Double));

    /// <summary>v10postprocess on [B, 4 + nc, A], boxes turned to xyxy.</summary>
    /// <returns>boxes [B, k, 4] xyxy input pixels, scores [B, k], labels [B, k] int64</returns>
    public static (string Boxes, string Scores, string Labels) TopK(OnnxGraph g, string decoded, long anchors, long nc, int maxDet)
    {
        var preds = g.Transpose(decoded, 0, 2, 1);                              // [B, A, 4 + nc]
        var parts = g.Split(preds, 2, 4, nc);
        var (boxes, scores) = (parts[0], parts[1]);                              // [B, A, 4], [B, A, nc]
        long k1 = Math.Min(maxDet, anchors);
        var (_, anchorIdx) = g.TopK(g.ReduceMax(scores, -1, keepDims: false), k1); // [B, k1]
        var idx = g.Unsqueeze(anchorIdx, -1);                                    // [B, k1, 1]
        var keptBoxes = Gather(g, boxes, idx, 4);                                // [B, k1, 4]
        var keptScores = Gather(g, scores, idx, nc);                             // [B, k1, nc]
        long k2 = Math.Min(maxDet, k1 * nc);
        var (top, flat) = g.TopK(g.Reshape(keptScores, 0, -1), k2);              // [B, k]
        var labels = g.Op("Mod", [flat, g.IntScalar(nc)]);
        var which = g.Op("Div", [flat, g.IntScalar(nc)]);                        // integer division (non-negative)
        var outBoxes = Gather(g, keptBoxes, g.Unsqueeze(which, -1), 4);          // [B, k, 4] cxcywh
        var cw = g.Split(outBoxes, 2, 2, 2);
        var half = g.Mul(cw[1], g.FloatScalar(0.5f));
        var xyxy = g.Concat(2, g.Sub(cw[0], half), g.Add(cw[0], half));
        return (xyxy, top, labels);
    }

    // x.gather(1, idx.expand(-1, -1, width))
    static string Gather(OnnxGraph g, string x, string idx, long width)
    {
        var expanded = g.Op("Expand", [idx, g.Ints(1, 1, width)]);
        return g.Op("GatherElements", [x, expanded], Proto.AttributeProto.Int("axis", 1));
    }
}
