using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Models;

/// <summary>
/// DETR's <c>PositionEmbeddingLearned</c>: learned row and column embeddings (<c>row_embed</c>, <c>col_embed</c>,
/// Embedding(50, num_pos_feats), initialised uniform on [0, 1)); pos[b, :, y, x] = cat(col_embed[x], row_embed[y]).
/// The mask is ignored; feature maps larger than 50 along an axis are rejected.
/// </summary>
public sealed class PositionEmbeddingLearned : PositionEmbedding
{
    /// <summary>Rows and columns the embeddings cover.</summary>
    public const long MaxSize = 50;

    readonly Embedding _rowEmbed, _colEmbed;

    /// <param name="numPosFeats">features per axis (hidden_dim / 2 in DETR)</param>
    public PositionEmbeddingLearned(long numPosFeats = 256, Device? device = null) : base(nameof(PositionEmbeddingLearned), numPosFeats)
    {
        _rowEmbed = register_module("row_embed", nn.Embedding(MaxSize, numPosFeats, device: device));
        _colEmbed = register_module("col_embed", nn.Embedding(MaxSize, numPosFeats, device: device));
        reset_parameters();
    }

    /// <summary>The row (y) embedding, [50, num_pos_feats].</summary>
    public Embedding RowEmbed => _rowEmbed;

    /// <summary>The column (x) embedding, [50, num_pos_feats].</summary>
    public Embedding ColEmbed => _colEmbed;

    /// <summary>uniform_ on both weights, as the reference.</summary>
    public void reset_parameters()
    {
        nn.init.uniform_(_rowEmbed.weight);
        nn.init.uniform_(_colEmbed.weight);
    }

    /// <param name="x">tensors [batch, C, H, W] (sizes and device are used)</param>
    /// <returns>[batch, 2 × num_pos_feats, H, W]: x (column) features first, then y (row)</returns>
    public override Tensor forward(NestedTensor x)
    {
        var s = x.Tensors.shape;
        long b = s[0], h = s[2], w = s[3];
        if (h > MaxSize || w > MaxSize)
            throw new ArgumentException($"PositionEmbeddingLearned: feature map {h}×{w} exceeds the {MaxSize}×{MaxSize} positions the embeddings cover", nameof(x));
        using var scope = torch.NewDisposeScope();
        var device = x.Tensors.device;
        var xEmb = _colEmbed.call(torch.arange(w, ScalarType.Int64, device));  // [W, F]
        var yEmb = _rowEmbed.call(torch.arange(h, ScalarType.Int64, device));  // [H, F]
        var pos = torch.cat(new[] { xEmb.unsqueeze(0).repeat(h, 1, 1), yEmb.unsqueeze(1).repeat(1, w, 1) }, -1) // [H, W, 2F]
            .permute(2, 0, 1).unsqueeze(0).repeat(b, 1, 1, 1);                  // [B, 2F, H, W]
        return scope.MoveToOuter(pos);
    }
}
