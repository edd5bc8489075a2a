using DetrSharp.Torch;

namespace DetrSharp.Detection.Models;

/// <summary>The normalisation layer of a ResNet backbone (torchvision's <c>norm_layer</c>).</summary>
public enum ResNetNorm
{
    /// <summary>DETR's <c>FrozenBatchNorm2d</c>: fixed statistics and affine parameters, all buffers (fine-tuning from pretrained weights).</summary>
    Frozen,

    /// <summary>A regular <c>BatchNorm2d</c> with learnable affine parameters and running statistics (training from scratch).</summary>
    BatchNorm,
}

/// <summary>Creates the layer a <see cref="ResNetNorm"/> names.</summary>
internal static class ResNetNormFactory
{
    public static nn.Module<Tensor, Tensor> Create(this ResNetNorm norm, long channels, Device? device) => norm switch
    {
        ResNetNorm.Frozen => nn.FrozenBatchNorm2d(channels, device: device),
        ResNetNorm.BatchNorm => nn.BatchNorm2d(channels, device: device),
        _ => throw new ArgumentOutOfRangeException(nameof(norm), norm, "unknown ResNet norm layer"),
    };
}
