namespace DetrSharp.Detection.Models;

/// <summary>The ResNet variants DETR uses, with torchvision's block type and blocks per stage.</summary>
public enum ResNetDepth
{
    ResNet18 = 18,
    ResNet34 = 34,
    ResNet50 = 50,
    ResNet101 = 101,
}

/// <summary>Block layout of each <see cref="ResNetDepth"/> and the name parsing of the reference (<c>"resnet50"</c>).</summary>
public static class ResNetDepths
{
    /// <summary>Blocks in layer1..layer4.</summary>
    public static int[] Layers(this ResNetDepth depth) => depth switch
    {
        ResNetDepth.ResNet18 => new[] { 2, 2, 2, 2 },
        ResNetDepth.ResNet34 => new[] { 3, 4, 6, 3 },
        ResNetDepth.ResNet50 => new[] { 3, 4, 6, 3 },
        ResNetDepth.ResNet101 => new[] { 3, 4, 23, 3 },
        _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "unknown ResNet depth"),
    };

    /// <summary>True for Bottleneck blocks (ResNet-50/101), false for BasicBlock (ResNet-18/34).</summary>
    public static bool UsesBottleneck(this ResNetDepth depth) => depth is ResNetDepth.ResNet50 or ResNetDepth.ResNet101;

    /// <summary>Channels of layer4's output: 512 for ResNet-18/34, 2048 for ResNet-50/101.</summary>
    public static long NumChannels(this ResNetDepth depth) => depth.UsesBottleneck() ? 2048 : 512;

    /// <summary>Parses torchvision's model name: resnet18, resnet34, resnet50 or resnet101 (case-insensitive).</summary>
    public static ResNetDepth Parse(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "resnet18" => ResNetDepth.ResNet18,
        "resnet34" => ResNetDepth.ResNet34,
        "resnet50" => ResNetDepth.ResNet50,
        "resnet101" => ResNetDepth.ResNet101,
        _ => throw new ArgumentException($"unknown backbone '{name}': expected resnet18, resnet34, resnet50 or resnet101", nameof(name)),
    };
}
