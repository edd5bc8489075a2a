using DetrSharp.Detection.Dino;
using DetrSharp.Export.Graph;
using DetrSharp.Export.Modules;
using DetrSharp.Export.Proto;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Dino;

/// <summary>
/// Emits <see cref="MSDeformAttn"/> as the project's per-level sampling path (<see cref="MsDeformSampling"/>, the
/// reference's ms_deform_attn_core_pytorch): value_proj; sampling locations from the reference points and
/// sampling_offsets; softmax attention weights over levels × points; per level one ONNX GridSample (opset 16+:
/// bilinear, zeros padding, align_corners 0) of the level's values [B·M, D, H, W] at grids 2·loc − 1; the weighted sum;
/// output_proj. No padding mask: the export's input has none.
/// </summary>
public static class MsDeformAttnEmitter
{
    /// <summary>The first opset with GridSample.</summary>
    public const int MinOpset = 16;

    /// <summary>Encoder form: reference points (x, y) per level; offsets in pixels of each level.</summary>
    /// <param name="query">[B, Lq, C] (position added)</param>
    /// <param name="points">[1 or B, Lq, L, 2] normalised (x, y)</param>
    /// <param name="input">[B, S, C] the flattened levels</param>
    /// <returns>[B, Lq, C]</returns>
    public static string WithPoints(OnnxGraph g, MSDeformAttn attn, string query, long lq, string points, string input, LevelShapes shapes)
    {
        var offsets = Offsets(g, attn, query, lq);                                                 // [B, Lq, M, L, P, 2]
        var normalizer = Enumerable.Range(0, shapes.Count).SelectMany(l => new float[] { shapes[l].W, shapes[l].H }).ToArray();
        var refs = g.Reshape(points, 0, lq, 1, attn.NLevels, 1, 2);                               // [B, Lq, 1, L, 1, 2]
        var locations = g.Add(refs, g.Op("Div", [offsets, g.Weight("msda_wh", normalizer, 1, 1, 1, shapes.Count, 1, 2)]));
        return Sample(g, attn, query, lq, locations, input, shapes);
    }

    /// <summary>Decoder form: one box per query seen from every level (the export's valid ratios are 1); offsets relative to its size.</summary>
    /// <param name="boxes">[B, Lq, 4] normalised (cx, cy, w, h)</param>
    public static string WithBoxes(OnnxGraph g, MSDeformAttn attn, string query, long lq, string boxes, string input, LevelShapes shapes)
    {
        var offsets = Offsets(g, attn, query, lq);                                                 // [B, Lq, M, L, P, 2]
        var parts = g.Split(boxes, -1, 2, 2);
        var centre = g.Reshape(parts[0], 0, lq, 1, 1, 1, 2);                                       // [B, Lq, 1, 1, 1, 2]
        var size = g.Reshape(parts[1], 0, lq, 1, 1, 1, 2);
        // centre + offsets / n_points · size · 0.5, in libtorch's order
        var scaled = g.Mul(g.Mul(g.Op("Div", [offsets, g.FloatScalar(attn.NPoints)]), size), g.FloatScalar(0.5f));
        return Sample(g, attn, query, lq, g.Add(centre, scaled), input, shapes);
    }

    static string Offsets(OnnxGraph g, MSDeformAttn attn, string query, long lq)
        => g.Reshape(LinearEmitter.Emit(g, TensorValues.Child<Linear>(attn, "sampling_offsets"), query), 0, lq, attn.NHeads, attn.NLevels, attn.NPoints, 2);

    /// <param name="locations">[B, Lq, M, L, P, 2] normalised (x, y)</param>
    static string Sample(OnnxGraph g, MSDeformAttn attn, string query, long lq, string locations, string input, LevelShapes shapes)
    {
        long m = attn.NHeads, d = attn.DModel / attn.NHeads, levels = attn.NLevels, points = attn.NPoints, s = shapes.Total;
        var value = LinearEmitter.Emit(g, TensorValues.Child<Linear>(attn, "value_proj"), input);           // [B, S, C]
        value = g.Reshape(g.Transpose(g.Reshape(value, 0, s, m, d), 0, 2, 3, 1), -1, d, s);                  // [B·M, D, S]
        var weights = g.Softmax(g.Reshape(LinearEmitter.Emit(g, TensorValues.Child<Linear>(attn, "attention_weights"), query),
            0, lq, m, levels * points), -1);                                                                  // [B, Lq, M, L·P]
        var grids = g.Sub(g.Mul(locations, g.FloatScalar(2f)), g.FloatScalar(1f));                           // [B, Lq, M, L, P, 2]
        grids = g.Reshape(g.Transpose(grids, 0, 2, 3, 1, 4, 5), -1, levels, lq, points, 2);                 // [B·M, L, Lq, P, 2]
        var starts = shapes.StartIndex;
        var sampled = new string[levels];
        for (int l = 0; l < levels; l++)
        {
            var (h, w) = shapes[l];
            var valueL = g.Reshape(g.Op("Slice", [value, g.Ints(starts[l]), g.Ints(starts[l] + h * w), g.Ints(2)]), -1, d, h, w); // [B·M, D, H, W]
            var gridL = g.Op("Gather", [grids, g.IntScalar(l)], AttributeProto.Int("axis", 1));             // [B·M, Lq, P, 2]
            sampled[l] = g.Op("GridSample", [valueL, gridL], AttributeProto.Str("mode", "bilinear"),
                AttributeProto.Str("padding_mode", "zeros"), AttributeProto.Int("align_corners", 0));         // [B·M, D, Lq, P]
        }
        var stacked = g.Concat(3, sampled);                                                                   // [B·M, D, Lq, L·P]
        var w4 = g.Reshape(g.Transpose(weights, 0, 2, 1, 3), -1, 1, lq, levels * points);                    // [B·M, 1, Lq, L·P]
        var summed = g.Op("ReduceSum", [g.Mul(stacked, w4), g.Ints(-1)], AttributeProto.Int("keepdims", 0)); // [B·M, D, Lq]
        var output = g.Transpose(g.Reshape(summed, -1, m * d, lq), 0, 2, 1);                                 // [B, Lq, C]
        return LinearEmitter.Emit(g, TensorValues.Child<Linear>(attn, "output_proj"), output);
    }
}
