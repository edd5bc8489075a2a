using DetrSharp.Detection.Models;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO's <c>Joiner</c>: child <c>0</c> the backbone body (any module turning a padded batch into feature maps with
/// their masks; a ResNet <see cref="Backbone"/> gives <c>backbone.0.body.*</c>), child <c>1</c> the
/// <see cref="PositionEmbeddingSineHW"/>. Keeps the body outputs at <see cref="ReturnIndices"/> (return_interm_indices).
/// </summary>
public sealed class DinoJoiner : nn.Module<NestedTensor, (NestedTensor[] features, Tensor[] pos)>
{
    readonly nn.Module<NestedTensor, NestedTensor[]> _body;
    readonly PositionEmbeddingSineHW _position;

    /// <param name="body">returns feature maps [B, C_i, h_i, w_i] with masks [B, h_i, w_i]</param>
    /// <param name="bodyChannels">channels of each of the body's outputs</param>
    /// <param name="returnIndices">which outputs to keep, in order</param>
    public DinoJoiner(nn.Module<NestedTensor, NestedTensor[]> body, long[] bodyChannels, int[] returnIndices, PositionEmbeddingSineHW position)
        : base(nameof(DinoJoiner))
    {
        if (returnIndices.Length == 0 || returnIndices.Any(i => i < 0 || i >= bodyChannels.Length))
            throw new ArgumentException($"DinoJoiner: return indices [{string.Join(", ", returnIndices)}] must name some of the body's {bodyChannels.Length} outputs", nameof(returnIndices));
        _body = register_module("0", body);
        _position = register_module("1", position);
        ReturnIndices = returnIndices;
        NumChannels = returnIndices.Select(i => bodyChannels[i]).ToArray();
    }

    /// <summary>The body (child <c>0</c>): a ResNet <see cref="Backbone"/> or another feature extractor.</summary>
    public nn.Module<NestedTensor, NestedTensor[]> Body => _body;

    /// <summary>A ResNet backbone (frozen BN by default, stem and layer1 frozen unless told) returning the given stages (0 = layer1).</summary>
    public static DinoJoiner ResNet(ResNetDepth depth, int[] returnInterimIndices, PositionEmbeddingSineHW position, bool trainBackbone = true,
        bool dilation = false, Device? device = null, ResNetNorm norm = ResNetNorm.Frozen, bool freezeStem = true)
    {
        var backbone = new Backbone(depth, trainBackbone, returnIntermediateLayers: true, dilation: dilation, norm: norm, device: device, freezeStem: freezeStem);
        return new DinoJoiner(backbone, backbone.Channels, returnInterimIndices, position);
    }

    /// <summary>Channels of each kept level (the reference's backbone.num_channels).</summary>
    public long[] NumChannels { get; }

    /// <summary>Indices of the body's outputs kept.</summary>
    public int[] ReturnIndices { get; }

    /// <summary>The position embedding (child 1).</summary>
    public PositionEmbeddingSineHW Position => _position;

    /// <param name="samples">tensors [B, 3, H, W]; mask [B, H, W], true on padding</param>
    /// <returns>kept levels [B, C_i, h_i, w_i] with masks; their position embeddings [B, hidden, h_i, w_i]</returns>
    public override (NestedTensor[] features, Tensor[] pos) forward(NestedTensor samples)
    {
        var all = _body.call(samples);
        var kept = ReturnIndices.Select(i => all[i]).ToArray();
        for (int i = 0; i < all.Length; i++)
            if (!ReturnIndices.Contains(i)) all[i].Dispose();
        var pos = kept.Select(f => _position.call(f)).ToArray();
        return (kept, pos);
    }
}
