using DetrSharp.Detection.Models;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>build_dino for a ResNet backbone: the body, PositionEmbeddingSine(hidden / 2, temperatures per axis, normalised), the model.</summary>
public static class DinoBuilder
{
    /// <summary>The model of <paramref name="config"/>, its body model.backbone with model.backbone_norm and model.freeze_stem.</summary>
    /// <param name="trainBackbone">false freezes the whole body (lr_backbone 0)</param>
    public static DINO Build(DinoConfig config, bool trainBackbone, Device? device = null)
        => Build(config, config.BackboneDepth, trainBackbone, device);

    /// <param name="config">model hyper-parameters (<see cref="DinoConfig.FourScale"/>, <see cref="DinoConfig.FiveScale"/>); its backbone_norm and freeze_stem are used</param>
    /// <param name="depth">ResNet variant of the body (instead of the config's)</param>
    /// <param name="trainBackbone">false freezes the whole body (lr_backbone 0); true freezes the stem and layer1 as the reference</param>
    public static DINO Build(DinoConfig config, ResNetDepth depth = ResNetDepth.ResNet50, bool trainBackbone = true, Device? device = null)
    {
        var position = new PositionEmbeddingSine(config.HiddenDim / 2, config.PeTemperatureH, normalize: true, temperatureW: config.PeTemperatureW);
        var joiner = Joiner.ResNet(depth, config.ReturnInterimIndices, position, trainBackbone, device: device,
            norm: config.BackboneNorm, freezeStem: config.FreezeStem);
        return new DINO(joiner, config, device);
    }
}
