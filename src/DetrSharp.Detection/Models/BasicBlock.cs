using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Models;

/// <summary>
/// torchvision's ResNet <c>BasicBlock</c> (ResNet-18/34): two 3×3 convolutions with a residual connection.
/// Children conv1, bn1, relu, conv2, bn2 and an optional downsample (<c>downsample.0</c> 1×1 conv, <c>downsample.1</c> norm).
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels = planes × expansion.</summary>
    public const long Expansion = 1;

    readonly Conv2d _conv1, _conv2;
    readonly nn.Module<Tensor, Tensor> _bn1, _bn2;
    readonly Sequential? _downsample;

    /// <param name="inplanes">input channels</param>
    /// <param name="planes">output channels</param>
    /// <param name="stride">stride of the first convolution (and of the downsample)</param>
    /// <param name="downsample">projection of the identity when shapes change, or null</param>
    /// <param name="dilation">must be 1: torchvision's BasicBlock does not support dilation</param>
    public BasicBlock(long inplanes, long planes, long stride, Sequential? downsample, long dilation, ResNetNorm norm, Device? device = null)
        : base(nameof(BasicBlock))
    {
        if (dilation > 1)
            throw new NotSupportedException("BasicBlock: dilation > 1 is not supported (ResNet-18/34 cannot be built with a dilated last stage, as in torchvision)");
        _conv1 = register_module("conv1", nn.Conv2d(inplanes, planes, 3, stride: stride, padding: 1, bias: false, device: device));
        _bn1 = register_module("bn1", norm.Create(planes, device));
        register_module("relu", nn.ReLU(inplace: true));
        _conv2 = register_module("conv2", nn.Conv2d(planes, planes, 3, padding: 1, bias: false, device: device));
        _bn2 = register_module("bn2", norm.Create(planes, device));
        if (downsample is not null) _downsample = register_module("downsample", downsample);
    }

    /// <param name="x">[batch, inplanes, H, W]</param>
    /// <returns>[batch, planes, H / stride, W / stride]</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = _bn1.call(_conv1.call(x)).relu_();
        y = _bn2.call(_conv2.call(y));
        var identity = _downsample is null ? x : _downsample.call(x);
        var result = y.add_(identity).relu_();
        return scope.MoveToOuter(result);
    }
}
