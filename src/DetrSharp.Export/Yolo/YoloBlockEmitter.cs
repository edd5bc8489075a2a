using DetrSharp.Detection.Yolo;
using DetrSharp.Export.Graph;
using DetrSharp.Export.Modules;
using DetrSharp.Export.Proto;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;
using static DetrSharp.Export.Modules.TensorValues;

namespace DetrSharp.Export.Yolo;

/// <summary>
/// Emits the ONNX nodes of one ultralytics block from the parameters the libtorch module holds, mirroring its
/// forward: Conv (BatchNorm folded, SiLU as x·sigmoid(x)), Bottleneck, C2f, C2fCIB, CIB, RepVGGDW, SCDown, SPPF,
/// PSA (see <see cref="PsaEmitter"/>), Sequential chains, nearest Upsample and MaxPool2d.
/// </summary>
public static class YoloBlockEmitter
{
    /// <param name="x">the input value [B, C, H, W]</param>
    /// <returns>the output value</returns>
    public static string Emit(OnnxGraph g, nn.Module module, string x) => module switch
    {
        Conv c => Conv(g, c, x),
        Conv2d c => ConvEmitter.Conv2d(g, c, x),
        Bottleneck b => Residual(g, b.Add, x, Emit(g, Child<Conv>(b, "cv2"), Emit(g, Child<Conv>(b, "cv1"), x))),
        C2f c => C2f(g, c, x),
        CIB c => Residual(g, c.Add, x, Emit(g, Child<Sequential>(c, "cv1"), x)),
        RepVGGDW r => g.Silu(g.Add(Emit(g, Child<Conv>(r, "conv"), x), Emit(g, Child<Conv>(r, "conv1"), x))),
        SCDown s => Emit(g, Child<Conv>(s, "cv2"), Emit(g, Child<Conv>(s, "cv1"), x)),
        SPPF s => Sppf(g, s, x),
        PSA p => PsaEmitter.Psa(g, p, x),
        Attention a => PsaEmitter.Attention(g, a, x),
        Sequential seq => seq.Aggregate(x, (v, m) => Emit(g, m, v)),
        Upsample u => Upsample(g, u, x),
        MaxPool2d m => MaxPool(g, m, x),
        Identity => x,
        _ => throw new NotSupportedException($"ONNX export: no emitter for the YOLO module {module.GetType().Name}"),
    };

    /// <summary>ultralytics Conv: conv + BatchNorm folded into one ONNX Conv, then SiLU unless act is Identity.</summary>
    public static string Conv(OnnxGraph g, Conv c, string x)
    {
        var y = ConvEmitter.WithBatchNorm(g, c.conv, c.bn, x);
        return Child<nn.Module>(c, "act") switch
        {
            Identity => y,
            SiLU => g.Silu(y),
            var act => throw new NotSupportedException($"ONNX export: Conv activation {act.GetType().Name}"),
        };
    }

    static string Residual(OnnxGraph g, bool add, string x, string y) => add ? g.Add(x, y) : y;

    // cv1 → two halves, each block on the last output, cv2 over all of them
    static string C2f(OnnxGraph g, C2f c, string x)
    {
        var y = Emit(g, Child<Conv>(c, "cv1"), x);                        // [B, 2c, H, W]
        var ys = g.Split(y, 1, c.C, c.C).ToList();
        foreach (var block in Child<ModuleList<nn.Module<Tensor, Tensor>>>(c, "m")) ys.Add(Emit(g, block, ys[^1]));
        return Emit(g, Child<Conv>(c, "cv2"), g.Concat(1, [.. ys]));      // [B, (2+n) c, H, W] → [B, c2, H, W]
    }

    static string Sppf(OnnxGraph g, SPPF s, string x)
    {
        var pool = Child<MaxPool2d>(s, "m");
        var ys = new List<string> { Emit(g, Child<Conv>(s, "cv1"), x) };
        for (int i = 0; i < 3; i++) ys.Add(MaxPool(g, pool, ys[^1]));
        return Emit(g, Child<Conv>(s, "cv2"), g.Concat(1, [.. ys]));      // [B, 4c, H, W] → [B, c2, H, W]
    }

    static string MaxPool(OnnxGraph g, MaxPool2d m, string x)
    {
        if (m.dilation.Any(d => d != 1)) throw new NotSupportedException("ONNX export: dilated MaxPool2d");
        return g.Op("MaxPool", x, AttributeProto.IntList("kernel_shape", m.kernel_size), AttributeProto.IntList("strides", m.stride),
            AttributeProto.IntList("pads", m.padding[0], m.padding[1], m.padding[0], m.padding[1]), AttributeProto.Int("ceil_mode", m.ceil_mode ? 1 : 0));
    }

    /// <summary>Nearest upsampling by a scale factor: Resize with asymmetric coordinates and floor (PyTorch's nearest).</summary>
    static string Upsample(OnnxGraph g, Upsample u, string x)
    {
        if (u.mode != InterpolationMode.Nearest || u.scale_factor is not { Length: 2 } s || u.size != null)
            throw new NotSupportedException("ONNX export: only nearest Upsample by a scale factor");
        var scales = g.Weight("resize_scales", [1f, 1f, (float)s[0], (float)s[1]], 4);
        return g.Op("Resize", [x, "", scales], AttributeProto.Str("mode", "nearest"),
            AttributeProto.Str("coordinate_transformation_mode", "asymmetric"), AttributeProto.Str("nearest_mode", "floor"));
    }
}
