using DetrSharp.Detection.Models;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>build_dino for a ResNet backbone: the body, PositionEmbeddingSineHW(hidden / 2, temperatures, normalised), the model.</summary>
public static class DinoBuilder
{
    /// <param name="config">model hyper-parameters (<see cref="DinoConfig.FourScale"/>, <see cref="DinoConfig.FiveScale"/>)</param>
    /// <param name="depth">ResNet variant of the body</param>
    /// <param name="trainBackbone">false freezes the whole body (lr_backbone 0); true freezes the stem and layer1 as the reference</param>
    public static DinoDetector Build(DinoConfig config, ResNetDepth depth = ResNetDepth.ResNet50, bool trainBackbone = true, Device? device = null)
    {
        var position = new PositionEmbeddingSineHW(config.HiddenDim / 2, config.PeTemperatureH, config.PeTemperatureW, normalize: true);
        var joiner = DinoJoiner.ResNet(depth, config.ReturnInterimIndices, position, trainBackbone, device: device);
        return new DinoDetector(joiner, config, device);
    }
}
