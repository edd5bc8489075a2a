using DetrSharp.Torch;

namespace DetrSharp.Detection.Models;

/// <summary>
/// DETR's <c>Joiner</c>: a Sequential-like pair whose child <c>0</c> is the <see cref="Backbone"/> and child
/// <c>1</c> the <see cref="PositionEmbedding"/> (so parameters are named <c>backbone.0.body.*</c> and, for the
/// learned encoding, <c>backbone.1.row_embed.weight</c>). Returns the feature maps and their encodings.
/// </summary>
public sealed class Joiner : nn.Module<NestedTensor, (NestedTensor[] features, Tensor[] pos)>
{
    readonly Backbone _backbone;
    readonly PositionEmbedding _positionEmbedding;

    public Joiner(Backbone backbone, PositionEmbedding positionEmbedding) : base(nameof(Joiner))
    {
        _backbone = register_module("0", backbone);
        _positionEmbedding = register_module("1", positionEmbedding);
    }

    /// <summary>Child 0.</summary>
    public Backbone Backbone => _backbone;

    /// <summary>Child 1.</summary>
    public PositionEmbedding PositionEmbedding => _positionEmbedding;

    /// <summary>Channels of the last feature map (the reference's num_channels).</summary>
    public long NumChannels => _backbone.NumChannels;

    /// <param name="samples">tensors [batch, 3, H, W]; mask [batch, H, W], true on padding</param>
    /// <returns>features: per level [batch, C_i, h_i, w_i] with mask [batch, h_i, w_i];
    /// pos: per level [batch, hidden_dim, h_i, w_i] in the features' dtype</returns>
    public override (NestedTensor[] features, Tensor[] pos) forward(NestedTensor samples)
    {
        var features = _backbone.call(samples);
        var pos = new Tensor[features.Length];
        for (int i = 0; i < features.Length; i++)
        {
            var p = _positionEmbedding.call(features[i]);
            var dtype = features[i].Tensors.dtype;
            if (p.dtype == dtype) pos[i] = p;
            else
            {
                pos[i] = p.to(dtype);
                p.Dispose();
            }
        }
        return (features, pos);
    }
}
