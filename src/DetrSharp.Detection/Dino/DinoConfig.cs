namespace DetrSharp.Detection.Dino;

/// <summary>
/// The model hyper-parameters of DINO's config files (config/DINO/DINO_4scale.py): what shapes the state dict.
/// Defaults are DINO-4scale's (91 classes as COCO's max id + 1, 900 queries, 6 + 6 layers, 4 levels).
/// </summary>
public sealed record DinoConfig
{
    /// <summary>num_classes: logits per query (sigmoid, no no-object column).</summary>
    public int NumClasses { get; init; } = 91;
    /// <summary>num_queries: boxes selected from the encoder for the decoder.</summary>
    public int NumQueries { get; init; } = 900;
    /// <summary>hidden_dim (DINO's query sine embedding requires 256).</summary>
    public long HiddenDim { get; init; } = 256;
    /// <summary>nheads of every attention.</summary>
    public int NHeads { get; init; } = 8;
    public int EncLayers { get; init; } = 6;
    public int DecLayers { get; init; } = 6;
    public long DimFeedforward { get; init; } = 2048;
    public double Dropout { get; init; } = 0.0;
    /// <summary>num_feature_levels: backbone levels plus extra stride-2 convolutions on the last one.</summary>
    public int NumFeatureLevels { get; init; } = 4;
    public int EncNPoints { get; init; } = 4;
    public int DecNPoints { get; init; } = 4;
    /// <summary>dn_labelbook_size: label_enc has this + 1 rows.</summary>
    public int DnLabelbookSize { get; init; } = 91;
    public double PeTemperatureH { get; init; } = 20;
    public double PeTemperatureW { get; init; } = 20;
    /// <summary>One class head shared by every decoder layer.</summary>
    public bool DecPredClassEmbedShare { get; init; } = true;
    /// <summary>One box head shared by every decoder layer.</summary>
    public bool DecPredBboxEmbedShare { get; init; } = true;
    /// <summary>The encoder's class head is the decoder's (requires both dec_pred shares).</summary>
    public bool TwoStageClassEmbedShare { get; init; }
    /// <summary>The encoder's box head is the decoder's (requires both dec_pred shares).</summary>
    public bool TwoStageBboxEmbedShare { get; init; }
    /// <summary>dn_number: denoising queries per image before doubling (0: none).</summary>
    public int DnNumber { get; init; } = 100;
    public double DnLabelNoiseRatio { get; init; } = 0.5;
    public double DnBoxNoiseScale { get; init; } = 1.0;
    /// <summary>return_interm_indices of the backbone: [1, 2, 3] for 4-scale, [0, 1, 2, 3] for 5-scale.</summary>
    public int[] ReturnInterimIndices { get; init; } = [1, 2, 3];

    /// <summary>DINO-4scale (config/DINO/DINO_4scale.py).</summary>
    public static DinoConfig FourScale(int numClasses = 91) => new() { NumClasses = numClasses, DnLabelbookSize = numClasses };

    /// <summary>DINO-5scale (config/DINO/DINO_5scale.py): layer1..layer4 plus one extra level.</summary>
    public static DinoConfig FiveScale(int numClasses = 91)
        => new() { NumClasses = numClasses, DnLabelbookSize = numClasses, NumFeatureLevels = 5, ReturnInterimIndices = [0, 1, 2, 3] };

    internal void Validate()
    {
        if (NumClasses <= 0 || NumQueries <= 0 || DecLayers <= 0 || EncLayers < 0 || NumFeatureLevels <= 0)
            throw new ArgumentException($"DinoConfig: classes, queries, decoder layers and levels must be positive, got {NumClasses}, {NumQueries}, {DecLayers}, {NumFeatureLevels}");
        if (HiddenDim % 32 != 0)
            throw new ArgumentException($"DinoConfig: hidden_dim must be a multiple of 32 (GroupNorm(32) in input_proj), got {HiddenDim}");
        if ((TwoStageBboxEmbedShare || TwoStageClassEmbedShare) && !(DecPredBboxEmbedShare && DecPredClassEmbedShare))
            throw new ArgumentException("DinoConfig: sharing the encoder's heads needs both decoder heads shared (dec_pred_class_embed_share and dec_pred_bbox_embed_share)");
    }
}
