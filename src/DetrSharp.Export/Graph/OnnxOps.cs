using DetrSharp.Export.Proto;

namespace DetrSharp.Export.Graph;

/// <summary>The node patterns the emitters share, written for the graph's opset.</summary>
public static class OnnxOps
{
    /// <summary>SiLU as x · sigmoid(x): opsets 13 to 18 have no SiLU operator.</summary>
    public static string Silu(this OnnxGraph g, string x) => g.Op("Mul", [x, g.Op("Sigmoid", x)]);

    public static string Add(this OnnxGraph g, string a, string b) => g.Op("Add", [a, b]);
    public static string Sub(this OnnxGraph g, string a, string b) => g.Op("Sub", [a, b]);
    public static string Mul(this OnnxGraph g, string a, string b) => g.Op("Mul", [a, b]);

    public static string Concat(this OnnxGraph g, long axis, params string[] inputs)
        => inputs.Length == 1 ? inputs[0] : g.Op("Concat", inputs, AttributeProto.Int("axis", axis));

    /// <summary>Split along <paramref name="axis"/> into pieces of the given sizes (sizes as an input: opset 13+).</summary>
    public static string[] Split(this OnnxGraph g, string x, long axis, params long[] sizes)
        => g.Node("Split", [x, g.Ints(sizes)], sizes.Length, AttributeProto.Int("axis", axis));

    /// <summary>Reshape; 0 copies the input's dimension (the dynamic batch), -1 is inferred.</summary>
    public static string Reshape(this OnnxGraph g, string x, params long[] shape) => g.Op("Reshape", [x, g.Ints(shape)]);

    public static string Transpose(this OnnxGraph g, string x, params long[] perm) => g.Op("Transpose", x, AttributeProto.IntList("perm", perm));

    public static string Softmax(this OnnxGraph g, string x, long axis) => g.Op("Softmax", x, AttributeProto.Int("axis", axis));

    public static string Unsqueeze(this OnnxGraph g, string x, params long[] axes) => g.Op("Unsqueeze", [x, g.Ints(axes)]);

    /// <summary>ReduceMax over one axis: axes an attribute before opset 18, an input from 18.</summary>
    public static string ReduceMax(this OnnxGraph g, string x, long axis, bool keepDims)
        => g.Opset >= 18
            ? g.Op("ReduceMax", [x, g.Ints(axis)], AttributeProto.Int("keepdims", keepDims ? 1 : 0))
            : g.Op("ReduceMax", x, AttributeProto.IntList("axes", axis), AttributeProto.Int("keepdims", keepDims ? 1 : 0));

    /// <summary>ReduceMean over one axis: axes an attribute before opset 18, an input from 18.</summary>
    public static string ReduceMean(this OnnxGraph g, string x, long axis, bool keepDims)
        => g.Opset >= 18
            ? g.Op("ReduceMean", [x, g.Ints(axis)], AttributeProto.Int("keepdims", keepDims ? 1 : 0))
            : g.Op("ReduceMean", x, AttributeProto.IntList("axes", axis), AttributeProto.Int("keepdims", keepDims ? 1 : 0));

    /// <summary>Rows of x [B, N, width] picked per batch by idx [B, k, 1] int64: x.gather(1, idx.expand(-1, -1, width)) → [B, k, width].</summary>
    public static string GatherRows(this OnnxGraph g, string x, string idx, long width)
        => g.Op("GatherElements", [x, g.Op("Expand", [idx, g.Ints(1, 1, width)])], AttributeProto.Int("axis", 1));

    /// <summary>TopK along the last axis, largest first, sorted.</summary>
    /// <returns>values and int64 indices</returns>
    public static (string Values, string Indices) TopK(this OnnxGraph g, string x, long k)
    {
        var outs = g.Node("TopK", [x, g.Ints(k)], 2, AttributeProto.Int("axis", -1), AttributeProto.Int("largest", 1), AttributeProto.Int("sorted", 1));
        return (outs[0], outs[1]);
    }

    /// <summary>2-D convolution (NCHW) with symmetric padding.</summary>
    public static string Conv(this OnnxGraph g, string x, string weight, string? bias, long[] kernel, long[] stride, long[] padding, long[] dilation, long groups)
    {
        var inputs = bias == null ? new[] { x, weight } : new[] { x, weight, bias };
        return g.Op("Conv", inputs,
            AttributeProto.IntList("kernel_shape", kernel), AttributeProto.IntList("strides", stride),
            AttributeProto.IntList("pads", padding[0], padding[1], padding[0], padding[1]),
            AttributeProto.IntList("dilations", dilation), AttributeProto.Int("group", groups));
    }
}
