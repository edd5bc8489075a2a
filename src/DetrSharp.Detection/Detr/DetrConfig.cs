using System.Text.Json.Serialization;
using DetrSharp.Detection.Configuration;
using DetrSharp.Detection.Families;
using DetrSharp.Detection.Models;

namespace DetrSharp.Detection.Detr;

/// <summary>Which matcher pairs DETR's queries with the ground truth.</summary>
public enum DetrMatcherKind
{
    /// <summary>DETR's HungarianMatcher (softmax class cost, L1 and GIoU on normalised boxes), batched over images.</summary>
    Hungarian,
    /// <summary>mmdetection's HungarianAssigner (ClassificationCost, BBoxL1Cost on normalised boxes, IoUCost on pixel boxes), per image.</summary>
    Mmdet,
}

/// <summary>
/// The <c>model</c> section for DETR: architecture (the reference's main.py arguments), matcher, loss weights and
/// post-processing. The defaults are DetrSharp's training defaults, chosen so that a run learns the built-in
/// synthetic shapes on a CPU in minutes: a ResNet-18 body ending at layer3 (stride 16) with trainable BatchNorm,
/// hidden 128, 2 + 3 layers, 30 queries, the class loss weighted 4 and the matcher's class cost 2, top-100
/// post-processing. <see cref="Reference"/> is DETR-R50 exactly as the paper trains it.
/// </summary>
public sealed record DetrConfig : ModelConfig
{
    public override string Name => "detr";

    /// <summary>DETR-R50 with the reference's defaults (main.py).</summary>
    public static DetrConfig Reference { get; } = new()
    {
        Backbone = "resnet50", BackboneNorm = ResNetNorm.Frozen, BackboneStages = 4, HiddenDim = 256, EncLayers = 6, DecLayers = 6,
        DimFeedforward = 2048, Dropout = 0.1, NumQueries = 100, SetCostClass = 1, CeLossCoef = 1, TopkDetections = 0,
    };

    // ---- backbone -----------------------------------------------------------------------------------------------
    /// <summary>resnet18, resnet34, resnet50 or resnet101 (--backbone).</summary>
    public string Backbone { get; init; } = "resnet18";

    /// <summary>Frozen batch norm (DETR, for pretrained weights) or trainable batch norm (training from scratch).</summary>
    public ResNetNorm BackboneNorm { get; init; } = ResNetNorm.BatchNorm;

    /// <summary>DC5: dilate layer4 instead of striding it (--dilation); resnet50/101 only.</summary>
    public bool Dilation { get; init; }

    /// <summary>ResNet stages used: 4 (DETR), 3 to end at layer3 (stride 16) or 2 to end at layer2 (stride 8), for small images.</summary>
    public int BackboneStages { get; init; } = 3;

    /// <summary>Freeze the stem and layer1 whenever the backbone trains (DETR's rule); false trains every layer.</summary>
    public bool FreezeStem { get; init; } = true;

    /// <summary>Sine (normalised) or learned position encoding (--position_embedding).</summary>
    public PositionEmbeddingKind PositionEmbedding { get; init; } = PositionEmbeddingKind.Sine;

    /// <summary>Whether the backbone trains (set by the run from optim.lr_backbone &gt; 0, as the reference; not a config key).</summary>
    [JsonIgnore]
    public bool TrainBackbone { get; init; } = true;

    /// <summary>Return all four backbone stages (the reference's --masks, for segmentation; not a config key).</summary>
    [JsonIgnore]
    public bool ReturnIntermediateLayers { get; init; }

    // ---- transformer --------------------------------------------------------------------------------------------
    public long HiddenDim { get; init; } = 128;
    [JsonPropertyName("nheads")]
    public long NHeads { get; init; } = 8;
    public int EncLayers { get; init; } = 2;
    public int DecLayers { get; init; } = 3;
    public long DimFeedforward { get; init; } = 512;
    public double Dropout { get; init; }
    public long NumQueries { get; init; } = 30;
    public bool PreNorm { get; init; }
    /// <summary>DAB-DETR's anchor-box queries (refined layer by layer) instead of DETR's learned query positions.</summary>
    public bool AnchorBoxes { get; init; }
    /// <summary>Auxiliary decoding losses: outputs for every decoder layer.</summary>
    public bool AuxLoss { get; init; } = true;

    // ---- matcher and losses -------------------------------------------------------------------------------------
    public DetrMatcherKind Matcher { get; init; } = DetrMatcherKind.Hungarian;
    /// <summary>Class cost of the matcher (1 in DETR): 2 by default, with ce_loss_coef 4, so that classes drive the matching while training from scratch.</summary>
    public double SetCostClass { get; init; } = 2;
    public double SetCostBbox { get; init; } = 5;
    public double SetCostGiou { get; init; } = 2;
    /// <summary>Weight of loss_ce (1 in DETR). 4 by default: with 1, a backbone trained from scratch learned boxes but hardly classes (AP50 0.032 against 0.155 after 15 minutes).</summary>
    public double CeLossCoef { get; init; } = 4;
    public double BboxLossCoef { get; init; } = 5;
    public double GiouLossCoef { get; init; } = 2;
    public double EosCoef { get; init; } = 0.1;

    // ---- post-processing ------------------------------------------------------------------------------------------
    /// <summary>Detections per image: 0 = DETR's PostProcess (one per query, its best class); N = the N best (query, class) pairs.</summary>
    public int TopkDetections { get; init; } = 100;

    /// <summary>The backbone as a <see cref="ResNetDepth"/>.</summary>
    [JsonIgnore]
    public ResNetDepth BackboneDepth => ResNetDepths.Parse(Backbone);

    public override void Validate()
    {
        ConfigException.OneOf(Backbone, "model.backbone", "resnet18", "resnet34", "resnet50", "resnet101");
        ConfigException.Check(!Dilation || BackboneDepth.UsesBottleneck(), $"model.dilation (DC5) needs resnet50 or resnet101, not {Backbone}");
        ConfigException.Check(BackboneStages is >= 2 and <= 4, $"model.backbone_stages must be 2, 3 or 4; got {BackboneStages}");
        ConfigException.Check(!Dilation || BackboneStages == 4, $"model.dilation changes layer4, which model.backbone_stages {BackboneStages} drops");
        ConfigException.Check(HiddenDim > 0 && HiddenDim % 2 == 0, $"model.hidden_dim must be positive and even; got {HiddenDim}");
        ConfigException.Check(NHeads > 0 && HiddenDim % NHeads == 0, $"model.nheads must divide model.hidden_dim: {HiddenDim} % {NHeads}");
        ConfigException.Check(EncLayers >= 0, $"model.enc_layers must be >= 0; got {EncLayers}");
        ConfigException.Check(DecLayers >= 1, $"model.dec_layers must be >= 1; got {DecLayers}");
        ConfigException.Check(DimFeedforward > 0, $"model.dim_feedforward must be positive; got {DimFeedforward}");
        ConfigException.Check(Dropout is >= 0 and <= 1, $"model.dropout must be in [0, 1]; got {Dropout}");
        ConfigException.Check(NumQueries >= 1, $"model.num_queries must be >= 1; got {NumQueries}");
        ConfigException.Check(NumClasses >= 1, $"the number of classes must be >= 1; got {NumClasses}");
        ConfigException.NonNegative(SetCostClass, "model.set_cost_class");
        ConfigException.NonNegative(SetCostBbox, "model.set_cost_bbox");
        ConfigException.NonNegative(SetCostGiou, "model.set_cost_giou");
        ConfigException.NonNegative(CeLossCoef, "model.ce_loss_coef");
        ConfigException.NonNegative(BboxLossCoef, "model.bbox_loss_coef");
        ConfigException.NonNegative(GiouLossCoef, "model.giou_loss_coef");
        ConfigException.NonNegative(EosCoef, "model.eos_coef");
        ConfigException.Check(TopkDetections >= 0, $"model.topk_detections must be >= 0; got {TopkDetections}");
    }
}
