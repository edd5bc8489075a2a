using DetrSharp.Torch;

namespace DetrSharp.Detection.Models;

/// <summary>
/// A 2-D position encoding of a feature map (DETR's position_encoding.py): from a NestedTensor
/// [batch, C, H, W] with its padding mask to an embedding [batch, 2 × num_pos_feats, H, W].
/// </summary>
public abstract class PositionEmbedding : nn.Module<NestedTensor, Tensor>
{
    protected PositionEmbedding(string name, long numPosFeats) : base(name)
    {
        if (numPosFeats <= 0)
            throw new ArgumentOutOfRangeException(nameof(numPosFeats), numPosFeats, $"{name}: num_pos_feats must be positive");
        NumPosFeats = numPosFeats;
    }

    /// <summary>Features per axis; the embedding has twice as many channels.</summary>
    public long NumPosFeats { get; }
}

/// <summary>Which position encoding DETR uses (the reference's --position_embedding sine | learned).</summary>
public enum PositionEmbeddingKind
{
    /// <summary><see cref="PositionEmbeddingSine"/> with normalize = true (the reference's default, also "v2").</summary>
    Sine,

    /// <summary><see cref="PositionEmbeddingLearned"/> (also "v3").</summary>
    Learned,
}
