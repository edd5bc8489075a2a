using DetrSharp.Export.Graph;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Modules;

/// <summary>
/// Emits convolutions. A Conv2d followed by an eval-mode BatchNorm is one ONNX Conv whose weights and bias fold the
/// norm in exactly (computed in double, rounded to float once): scale = γ / √(var + eps), W' = W · scale per output
/// channel, b' = (b - mean) · scale + β.
/// </summary>
public static class ConvEmitter
{
    /// <summary>A plain Conv2d (its own bias if it has one).</summary>
    public static string Conv2d(OnnxGraph g, Conv2d conv, string x)
    {
        var w = g.Weight("conv_w", TensorValues.Floats(conv.weight), conv.weight.shape);
        var b = conv.bias is { } bias ? g.Weight("conv_b", TensorValues.Floats(bias), bias.shape) : null;
        return Emit(g, conv, x, w, b);
    }

    /// <summary>A Conv2d with the BatchNorm after it folded in (norm statistics: <paramref name="mean"/>, <paramref name="var"/>).</summary>
    public static string Folded(OnnxGraph g, Conv2d conv, double[] gamma, double[] beta, double[] mean, double[] var, double eps, string x)
    {
        var w = TensorValues.Doubles(conv.weight);                       // [out, in/groups, kh, kw]
        long outCh = conv.weight.shape[0];
        if (gamma.Length != outCh) throw new NotSupportedException($"ONNX export: a BatchNorm of {gamma.Length} channels after a conv of {outCh}");
        var convBias = conv.bias is { } cb ? TensorValues.Doubles(cb) : new double[outCh];
        long per = w.Length / outCh;
        var fw = new float[w.Length];
        var fb = new float[outCh];
        for (long o = 0; o < outCh; o++)
        {
            double scale = gamma[o] / Math.Sqrt(var[o] + eps);
            for (long i = 0; i < per; i++) fw[o * per + i] = (float)(w[o * per + i] * scale);
            fb[o] = (float)((convBias[o] - mean[o]) * scale + beta[o]);
        }
        return Emit(g, conv, x, g.Weight("conv_w", fw, conv.weight.shape), g.Weight("conv_b", fb, outCh));
    }

    /// <summary>A Conv2d then a BatchNorm2d in eval mode, folded.</summary>
    public static string WithBatchNorm(OnnxGraph g, Conv2d conv, BatchNorm2d bn, string x)
    {
        if (bn.running_mean is not { } mean || bn.running_var is not { } var)
            throw new NotSupportedException("ONNX export: a BatchNorm without running statistics cannot be folded");
        long c = bn.num_features;
        var gamma = bn.weight is { } wt ? TensorValues.Doubles(wt) : Enumerable.Repeat(1.0, (int)c).ToArray();
        var beta = bn.bias is { } bt ? TensorValues.Doubles(bt) : new double[c];
        return Folded(g, conv, gamma, beta, TensorValues.Doubles(mean), TensorValues.Doubles(var), bn.eps, x);
    }

    static string Emit(OnnxGraph g, Conv2d conv, string x, string w, string? b)
    {
        if (conv.padding_mode != PaddingModes.Zeros)
            throw new NotSupportedException($"ONNX export: Conv2d padding mode {conv.padding_mode} (only zeros)");
        return g.Conv(x, w, b, conv.kernel_size, conv.stride, conv.padding, conv.dilation, conv.groups);
    }
}
