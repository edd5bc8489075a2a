using DetrSharp.Torch;

namespace DetrSharp.Detection.Models;

/// <summary>
/// DETR's and DINO's <c>Joiner</c>: a Sequential-like pair whose child <c>0</c> is the backbone body (a ResNet
/// <see cref="Backbone"/> gives <c>backbone.0.body.*</c>; any module turning a padded batch into feature maps with
/// their masks will do) and child <c>1</c> the <see cref="PositionEmbedding"/> (the learned one's parameters are
/// <c>backbone.1.row_embed.weight</c>...). Keeps the body outputs at <see cref="ReturnIndices"/> (DINO's
/// return_interm_indices; all of them by default) and returns them with their encodings.
/// </summary>
public sealed class Joiner : nn.Module<NestedTensor, (NestedTensor[] features, Tensor[] pos)>
{
    readonly nn.Module<NestedTensor, NestedTensor[]> _body;
    readonly PositionEmbedding _positionEmbedding;

    /// <param name="body">returns feature maps [B, C_i, h_i, w_i] with masks [B, h_i, w_i]</param>
    /// <param name="bodyChannels">channels of each of the body's outputs</param>
    /// <param name="positionEmbedding">child 1</param>
    /// <param name="returnIndices">which outputs to keep, in order; null = all</param>
    public Joiner(nn.Module<NestedTensor, NestedTensor[]> body, long[] bodyChannels, PositionEmbedding positionEmbedding, int[]? returnIndices = null)
        : base(nameof(Joiner))
    {
        returnIndices ??= Enumerable.Range(0, bodyChannels.Length).ToArray();
        if (returnIndices.Length == 0 || returnIndices.Any(i => i < 0 || i >= bodyChannels.Length))
            throw new ArgumentException($"Joiner: return indices [{string.Join(", ", returnIndices)}] must name some of the body's {bodyChannels.Length} outputs", nameof(returnIndices));
        _body = register_module("0", body);
        _positionEmbedding = register_module("1", positionEmbedding);
        ReturnIndices = returnIndices;
        Channels = returnIndices.Select(i => bodyChannels[i]).ToArray();
    }

    /// <summary>A ResNet backbone joined with its encoding, keeping every level the backbone returns.</summary>
    public Joiner(Backbone backbone, PositionEmbedding positionEmbedding) : this(backbone, backbone.Channels, positionEmbedding) { }

    /// <summary>DINO's backbone: a ResNet (frozen BN by default, stem and layer1 frozen unless told) returning the given stages (0 = layer1).</summary>
    public static Joiner ResNet(ResNetDepth depth, int[] returnInterimIndices, PositionEmbedding position, bool trainBackbone = true,
        bool dilation = false, Device? device = null, ResNetNorm norm = ResNetNorm.Frozen, bool freezeStem = true)
    {
        var backbone = new Backbone(depth, trainBackbone, returnIntermediateLayers: true, dilation: dilation, norm: norm, device: device, freezeStem: freezeStem);
        return new Joiner(backbone, backbone.Channels, position, returnInterimIndices);
    }

    /// <summary>Child 0 when it is a ResNet <see cref="Models.Backbone"/>.</summary>
    public Backbone? Backbone => _body as Backbone;

    /// <summary>Child 1.</summary>
    public PositionEmbedding PositionEmbedding => _positionEmbedding;

    /// <summary>Indices of the body's outputs kept.</summary>
    public int[] ReturnIndices { get; }

    /// <summary>Channels of each kept level (DINO's backbone.num_channels).</summary>
    public long[] Channels { get; }

    /// <summary>Channels of the last kept level (DETR's num_channels).</summary>
    public long NumChannels => Channels[^1];

    /// <param name="samples">tensors [batch, 3, H, W]; mask [batch, H, W], true on padding</param>
    /// <returns>features: per kept level [batch, C_i, h_i, w_i] with mask [batch, h_i, w_i];
    /// pos: per level [batch, hidden_dim, h_i, w_i] in the features' dtype</returns>
    public override (NestedTensor[] features, Tensor[] pos) forward(NestedTensor samples)
    {
        var all = _body.call(samples);
        var kept = ReturnIndices.Select(i => all[i]).ToArray();
        for (int i = 0; i < all.Length; i++)
            if (!ReturnIndices.Contains(i)) all[i].Dispose();
        return (kept, kept.Select(Encode).ToArray());
    }

    /// <summary>The encoding of one level in its dtype (DINO encodes its extra levels this way too).</summary>
    /// <param name="level">[batch, C, h, w] with mask [batch, h, w]</param>
    /// <returns>[batch, 2 × num_pos_feats, h, w]</returns>
    public Tensor Encode(NestedTensor level)
    {
        var p = _positionEmbedding.call(level);
        var dtype = level.Tensors.dtype;
        if (p.dtype == dtype) return p;
        using (p) return p.to(dtype);
    }
}
