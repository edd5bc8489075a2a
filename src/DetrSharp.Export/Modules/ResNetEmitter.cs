using DetrSharp.Detection.Models;
using DetrSharp.Export.Graph;
using DetrSharp.Export.Proto;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Modules;

/// <summary>
/// Emits a torchvision-style <see cref="ResNet"/> body in eval mode: every convolution with its norm folded in
/// (BatchNorm2d or DETR's FrozenBatchNorm2d, both y = (x − mean) · γ / √(var + eps) + β), the stem's Relu and MaxPool,
/// BasicBlock / Bottleneck with their downsample, and the outputs of the stages asked for.
/// </summary>
public static class ResNetEmitter
{
    /// <param name="x">[B, 3, H, W] normalised image</param>
    /// <param name="returnAll">every stage's output (layer1..layerN) instead of the last one</param>
    /// <returns>the stage outputs, as <see cref="ResNet.ForwardFeatures"/></returns>
    public static string[] Features(OnnxGraph g, ResNet body, string x, bool returnAll)
    {
        var y = ConvNorm(g, TensorValues.Child<Conv2d>(body, "conv1"), Child(body, "bn1"), x);
        y = g.Op("Relu", y);
        var pool = TensorValues.Child<MaxPool2d>(body, "maxpool");
        if (pool.dilation.Any(d => d != 1)) throw new NotSupportedException("ONNX export: dilated MaxPool2d");
        y = g.Op("MaxPool", y, AttributeProto.IntList("kernel_shape", pool.kernel_size), AttributeProto.IntList("strides", pool.stride),
            AttributeProto.IntList("pads", pool.padding[0], pool.padding[1], pool.padding[0], pool.padding[1]), AttributeProto.Int("ceil_mode", pool.ceil_mode ? 1 : 0));
        var outputs = new List<string>();
        for (int s = 1; s <= body.Stages; s++)
        {
            foreach (var block in TensorValues.Child<Sequential>(body, $"layer{s}")) y = Block(g, block, y);
            if (returnAll || s == body.Stages) outputs.Add(y);
        }
        return outputs.ToArray();
    }

    /// <summary>A BasicBlock or Bottleneck: its convolutions (norms folded, Relu between), the identity or downsample, the sum, Relu.</summary>
    static string Block(OnnxGraph g, nn.Module block, string x)
    {
        int convs = block switch
        {
            BasicBlock => 2,
            Bottleneck => 3,
            _ => throw new NotSupportedException($"ONNX export: no emitter for the ResNet block {block.GetType().Name}"),
        };
        var y = x;
        for (int i = 1; i <= convs; i++)
        {
            y = ConvNorm(g, TensorValues.Child<Conv2d>(block, $"conv{i}"), Child(block, $"bn{i}"), y);
            if (i < convs) y = g.Op("Relu", y);
        }
        var identity = x;
        if (block.named_children().FirstOrDefault(c => c.name == "downsample").module is Sequential down)
            identity = ConvNorm(g, (Conv2d)down[0], down[1], x);
        return g.Op("Relu", g.Add(y, identity));
    }

    /// <summary>A convolution followed by a BatchNorm2d or FrozenBatchNorm2d, folded into one Conv.</summary>
    public static string ConvNorm(OnnxGraph g, Conv2d conv, nn.Module norm, string x) => norm switch
    {
        BatchNorm2d bn => ConvEmitter.WithBatchNorm(g, conv, bn, x),
        FrozenBatchNorm2d f => ConvEmitter.Folded(g, conv, TensorValues.Doubles(f.weight), TensorValues.Doubles(f.bias),
            TensorValues.Doubles(f.running_mean), TensorValues.Doubles(f.running_var), f.eps, x),
        _ => throw new NotSupportedException($"ONNX export: cannot fold a {norm.GetType().Name} into a convolution"),
    };

    static nn.Module Child(nn.Module parent, string name)
        => parent.named_children().FirstOrDefault(c => c.name == name).module
           ?? throw new NotSupportedException($"ONNX export: {parent.GetType().Name} has no child '{name}'");
}
