namespace DetrSharp.Detection.Models;

/// <summary>
/// The architecture of a DETR model, with the reference's defaults (main.py arguments). Small configurations
/// (resnet18, hidden 64, 2+2 layers, few queries) train on a CPU; <see cref="DetrBuilder.Build"/> builds it.
/// </summary>
public sealed record DetrConfig
{
    /// <summary>resnet18, resnet34, resnet50 or resnet101 (--backbone).</summary>
    public string Backbone { get; init; } = "resnet50";

    /// <summary>DC5: dilate layer4 instead of striding it (--dilation); not available for resnet18/34.</summary>
    public bool Dilation { get; init; }

    /// <summary>ResNet stages used: 4 (DETR), 3 to end the body at layer3 (output stride 16, 256 or 1024 channels) or 2 to
    /// end it at layer2 (stride 8): on small images this keeps the feature map from shrinking to a few cells, and
    /// costs less than the full body, where DC5 costs more.</summary>
    public int BackboneStages { get; init; } = 4;

    /// <summary>Freeze the backbone's stem and layer1 whenever the backbone trains (DETR's rule); false trains every
    /// layer, at the cost of their backward pass at the highest resolutions.</summary>
    public bool FreezeStem { get; init; } = true;

    /// <summary>Sine (normalised) or learned position encoding (--position_embedding).</summary>
    public PositionEmbeddingKind PositionEmbedding { get; init; } = PositionEmbeddingKind.Sine;

    /// <summary>Frozen batch norm (DETR, for pretrained weights) or trainable batch norm (training from scratch).</summary>
    public ResNetNorm BackboneNorm { get; init; } = ResNetNorm.Frozen;

    /// <summary>Learning rate of the backbone (--lr_backbone); 0 freezes the whole backbone.</summary>
    public double LrBackbone { get; init; } = 1e-5;

    /// <summary>Return all four backbone stages (the reference's --masks, for segmentation).</summary>
    public bool ReturnIntermediateLayers { get; init; }

    /// <summary>Width of the transformer (--hidden_dim).</summary>
    public long HiddenDim { get; init; } = 256;

    /// <summary>Attention heads (--nheads).</summary>
    public long NHeads { get; init; } = 8;

    /// <summary>Encoder layers (--enc_layers).</summary>
    public int EncLayers { get; init; } = 6;

    /// <summary>Decoder layers (--dec_layers).</summary>
    public int DecLayers { get; init; } = 6;

    /// <summary>Hidden width of the feed-forward blocks (--dim_feedforward).</summary>
    public long DimFeedforward { get; init; } = 2048;

    /// <summary>Dropout in the transformer (--dropout).</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Object queries (--num_queries).</summary>
    public long NumQueries { get; init; } = 100;

    /// <summary>DAB-DETR's anchor-box queries instead of DETR's learned query positions: each query starts from a
    /// learned box and the box head refines it layer by layer; DETR's matcher and losses stay.</summary>
    public bool AnchorBoxes { get; init; }

    /// <summary>Pre-norm transformer layers (--pre_norm).</summary>
    public bool PreNorm { get; init; }

    /// <summary>Auxiliary decoding losses: outputs for every decoder layer (the reference's default, --no_aux_loss turns it off).</summary>
    public bool AuxLoss { get; init; } = true;

    /// <summary>The largest class id + 1 (91 for COCO); the class head has one more output (no-object).</summary>
    public long NumClasses { get; init; } = 91;

    /// <summary>Whether the backbone's layer2..layer4 are trained (lr_backbone &gt; 0).</summary>
    public bool TrainBackbone => LrBackbone > 0;

    /// <summary>The backbone as a <see cref="ResNetDepth"/>; throws on an unknown name.</summary>
    public ResNetDepth BackboneDepth => ResNetDepths.Parse(Backbone);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        var depth = BackboneDepth;
        if (Dilation && !depth.UsesBottleneck())
            throw new ArgumentException($"DetrConfig: Dilation (DC5) needs resnet50 or resnet101, not {Backbone}", nameof(Dilation));
        if (BackboneStages is < 2 or > 4)
            throw new ArgumentException($"DetrConfig: BackboneStages must be 2, 3 or 4, got {BackboneStages}", nameof(BackboneStages));
        if (Dilation && BackboneStages != 4)
            throw new ArgumentException($"DetrConfig: Dilation (DC5) changes layer4, which a {BackboneStages}-stage backbone does not have", nameof(Dilation));
        if (HiddenDim <= 0 || HiddenDim % 2 != 0)
            throw new ArgumentException($"DetrConfig: HiddenDim must be positive and even, got {HiddenDim}", nameof(HiddenDim));
        if (NHeads <= 0 || HiddenDim % NHeads != 0)
            throw new ArgumentException($"DetrConfig: HiddenDim ({HiddenDim}) must be a multiple of NHeads ({NHeads})", nameof(NHeads));
        if (EncLayers < 0) throw new ArgumentException($"DetrConfig: EncLayers must be ≥ 0, got {EncLayers}", nameof(EncLayers));
        if (DecLayers < 1) throw new ArgumentException($"DetrConfig: DecLayers must be ≥ 1, got {DecLayers}", nameof(DecLayers));
        if (DimFeedforward <= 0) throw new ArgumentException($"DetrConfig: DimFeedforward must be positive, got {DimFeedforward}", nameof(DimFeedforward));
        if (!(Dropout >= 0 && Dropout <= 1)) throw new ArgumentException($"DetrConfig: Dropout must be in [0, 1], got {Dropout}", nameof(Dropout));
        if (NumQueries < 1) throw new ArgumentException($"DetrConfig: NumQueries must be ≥ 1, got {NumQueries}", nameof(NumQueries));
        if (NumClasses < 1) throw new ArgumentException($"DetrConfig: NumClasses must be ≥ 1, got {NumClasses}", nameof(NumClasses));
        if (LrBackbone < 0 || double.IsNaN(LrBackbone)) throw new ArgumentException($"DetrConfig: LrBackbone must be ≥ 0, got {LrBackbone}", nameof(LrBackbone));
    }
}
