using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Models;

/// <summary>
/// torchvision's ResNet <c>Bottleneck</c> (ResNet-50/101, v1.5: the stride is on the 3×3 convolution):
/// 1×1 reduce, 3×3 (optionally dilated), 1×1 expand ×4, residual connection. Children conv1..3, bn1..3,
/// relu and an optional downsample (<c>downsample.0</c> 1×1 conv, <c>downsample.1</c> norm).
/// </summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels = planes × expansion.</summary>
    public const long Expansion = 4;

    readonly Conv2d _conv1, _conv2, _conv3;
    readonly nn.Module<Tensor, Tensor> _bn1, _bn2, _bn3;
    readonly Sequential? _downsample;

    /// <param name="inplanes">input channels</param>
    /// <param name="planes">width of the block; output channels are planes × 4</param>
    /// <param name="stride">stride of the 3×3 convolution (and of the downsample)</param>
    /// <param name="downsample">projection of the identity when shapes change, or null</param>
    /// <param name="dilation">dilation (and padding) of the 3×3 convolution</param>
    public Bottleneck(long inplanes, long planes, long stride, Sequential? downsample, long dilation, ResNetNorm norm, Device? device = null)
        : base(nameof(Bottleneck))
    {
        long width = planes;
        _conv1 = register_module("conv1", nn.Conv2d(inplanes, width, 1, bias: false, device: device));
        _bn1 = register_module("bn1", norm.Create(width, device));
        _conv2 = register_module("conv2", nn.Conv2d(width, width, 3, stride: stride, padding: dilation, dilation: dilation, bias: false, device: device));
        _bn2 = register_module("bn2", norm.Create(width, device));
        _conv3 = register_module("conv3", nn.Conv2d(width, planes * Expansion, 1, bias: false, device: device));
        _bn3 = register_module("bn3", norm.Create(planes * Expansion, device));
        register_module("relu", nn.ReLU(inplace: true));
        if (downsample is not null) _downsample = register_module("downsample", downsample);
    }

    /// <param name="x">[batch, inplanes, H, W]</param>
    /// <returns>[batch, planes × 4, H / stride, W / stride]</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = _bn1.call(_conv1.call(x)).relu_();
        y = _bn2.call(_conv2.call(y)).relu_();
        y = _bn3.call(_conv3.call(y));
        var identity = _downsample is null ? x : _downsample.call(x);
        var result = y.add_(identity).relu_();
        return scope.MoveToOuter(result);
    }
}
