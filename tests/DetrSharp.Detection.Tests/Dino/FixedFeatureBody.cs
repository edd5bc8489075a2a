using DetrSharp.Detection.Models;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Dino;

/// <summary>
/// The fixtures' stub backbone body: returns given feature maps, each with the image mask resized to it (nearest,
/// as BackboneBase does); the images themselves are ignored.
/// </summary>
internal sealed class FixedFeatureBody : nn.Module<NestedTensor, NestedTensor[]>
{
    readonly Tensor[] _features;

    public FixedFeatureBody(Tensor[] features) : base(nameof(FixedFeatureBody)) => _features = features;

    public override NestedTensor[] forward(NestedTensor samples)
    {
        var mask = samples.Mask ?? throw new ArgumentException("FixedFeatureBody: samples need a mask", nameof(samples));
        return _features.Select(f => new NestedTensor(f.to(samples.Tensors.dtype), NestedTensor.ResizeMask(mask, f.size(2), f.size(3)))).ToArray();
    }
}
