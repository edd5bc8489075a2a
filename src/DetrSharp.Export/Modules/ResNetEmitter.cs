using DetrSharp.Detection.Models;
using DetrSharp.Export.Graph;
using DetrSharp.Export.Proto;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Modules;

/// <summary>
/// Emits a torchvision-style <see cref="ResNet"/> body (stem, max pool, the stages it was built with; BasicBlock or
/// Bottleneck, dilated or not) in eval mode, every norm — a trainable BatchNorm2d's running statistics or a
/// FrozenBatchNorm2d's buffers — folded into the convolution before it (<see cref="ConvEmitter"/>).
/// </summary>
public static class ResNetEmitter
{
    /// <param name="x">[B, 3, H, W] normalised images</param>
    /// <returns>each stage's output layer1..layerN, [B, C_i, H / stride_i, W / stride_i]</returns>
    public static string[] Stages(OnnxGraph g, ResNet body, string x)
    {
        var stem = g.Op("Relu", ConvNorm(g, body, "conv1", "bn1", x));
        var pool = TensorValues.Child<MaxPool2d>(body, "maxpool");
        if (pool.ceil_mode || pool.dilation.Any(d => d != 1))
            throw new NotSupportedException("ONNX export: a ResNet max pool with ceil_mode or dilation");
        var y = g.Op("MaxPool", stem, AttributeProto.IntList("kernel_shape", pool.kernel_size), AttributeProto.IntList("strides", pool.stride),
            AttributeProto.IntList("pads", pool.padding[0], pool.padding[1], pool.padding[0], pool.padding[1]));
        var outputs = new string[body.Stages];
        for (int i = 0; i < body.Stages; i++)
        {
            foreach (var (_, block) in TensorValues.Child<Sequential>(body, $"layer{i + 1}").named_children())
                y = Block(g, block, y);
            outputs[i] = y;
        }
        return outputs;
    }

    // BasicBlock: relu(bn2(conv2(relu(bn1(conv1 x)))) + identity); Bottleneck: three convs, the same residual
    static string Block(OnnxGraph g, nn.Module block, string x)
    {
        int convs = block switch
        {
            BasicBlock => 2,
            Bottleneck => 3,
            _ => throw new NotSupportedException($"ONNX export: a ResNet block of type {block.GetType().Name}"),
        };
        var y = x;
        for (int c = 1; c <= convs; c++)
        {
            y = ConvNorm(g, block, $"conv{c}", $"bn{c}", y);
            if (c < convs) y = g.Op("Relu", y);
        }
        var downsample = block.named_children().FirstOrDefault(m => m.name == "downsample").module;
        var identity = downsample is Sequential ds ? ConvNorm(g, ds, "0", "1", x) : x;
        return g.Op("Relu", g.Add(y, identity));
    }

    /// <summary>The named conv of <paramref name="parent"/> with the named norm after it folded in.</summary>
    public static string ConvNorm(OnnxGraph g, nn.Module parent, string convName, string normName, string x)
    {
        var conv = TensorValues.Child<Conv2d>(parent, convName);
        var norm = TensorValues.Child<nn.Module>(parent, normName);
        return norm switch
        {
            BatchNorm2d bn => ConvEmitter.WithBatchNorm(g, conv, bn, x),
            FrozenBatchNorm2d f => ConvEmitter.Folded(g, conv, TensorValues.Doubles(f.weight), TensorValues.Doubles(f.bias),
                TensorValues.Doubles(f.running_mean), TensorValues.Doubles(f.running_var), f.eps, x),
            _ => throw new NotSupportedException($"ONNX export: a {norm.GetType().Name} after a ResNet convolution (BatchNorm2d or FrozenBatchNorm2d)"),
        };
    }
}
