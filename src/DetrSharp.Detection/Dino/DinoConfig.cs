using System.Text.Json.Serialization;
using DetrSharp.Detection.Configuration;
using DetrSharp.Detection.Families;
using DetrSharp.Detection.Models;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// The <c>model</c> section for DINO: the hyper-parameters of DINO's config files (config/DINO/DINO_4scale.py) that
/// shape the state dict, the backbone, the matcher's costs, the loss weights and post-processing.
/// <para>
/// The defaults are DetrSharp's CPU training defaults, chosen so that a run learns the built-in synthetic shapes
/// (96–128 px images) from scratch on a CPU:
/// a ResNet-18 body with trainable BatchNorm (no pretrained weights to keep frozen statistics for; the stem and layer1
/// stay frozen as DETR's rule) giving 3 levels from layer2..layer4 (strides 8, 16, 32: 16×16, 8×8 and 4×4 maps on a
/// 128 px image; a 4th, stride-64 level would be only 2×2); hidden 128 (the reference's 256 with its query sine
/// embedding's fixed 128 frequencies per coordinate; at 128 the embedding has 64: a step of batch 8 takes 0.85 s
/// instead of 1.38 s, and in the same minutes the narrower model learns more); 2 encoder and 3 decoder layers with feed-forward 512
/// (the reference's 6 + 6 with 2048 would multiply the transformer's cost several times); 100 queries (the images hold a handful of
/// objects, not COCO's hundreds: 900 would dominate the decoder's cost); dn_number 5 with the reference's noise
/// (label 0.5, box 1.0): below 50 the groups are not divided by the object count (2·dn_number ≥ 100 is), so 5 gives
/// 10 groups, 20 denoising queries per object of the batch's fullest image (120 at the shapes' 6 objects, next to the
/// 100 matching ones); 20 would give 480 and doubled the step time (4.1 against 2.1 s
/// per batch of 8 at 128 px on one CPU thread); the reference's focal α 0.25, matcher costs (class 2, bbox 5, giou 2),
/// loss weights (cls 1, bbox 5, giou 2); the top 100 detections per image in post-processing (the images hold few
/// objects; the reference's 300 mostly adds noise to the evaluation's cost).
/// </para>
/// <see cref="FourScale"/> and <see cref="FiveScale"/> are the reference's models exactly.
/// </summary>
public sealed record DinoConfig : ModelConfig
{
    public override string Name => "dino";

    /// <summary>DINO-4scale (config/DINO/DINO_4scale.py): every reference value (ResNet-50 with frozen BatchNorm, 900 queries, 6 + 6 layers, layer2..4 plus one extra level).</summary>
    public static DinoConfig FourScale(int numClasses = 91) => new()
    {
        NumClasses = numClasses, DnLabelbookSize = numClasses,
        Backbone = "resnet50", BackboneNorm = ResNetNorm.Frozen, FreezeStem = true,
        NumQueries = 900, HiddenDim = 256, NHeads = 8, EncLayers = 6, DecLayers = 6, DimFeedforward = 2048, Dropout = 0.0,
        NumFeatureLevels = 4, ReturnInterimIndices = [1, 2, 3], EncNPoints = 4, DecNPoints = 4, PeTemperatureH = 20, PeTemperatureW = 20,
        DecPredClassEmbedShare = true, DecPredBboxEmbedShare = true, TwoStageClassEmbedShare = false, TwoStageBboxEmbedShare = false,
        DnNumber = 100, DnLabelNoiseRatio = 0.5, DnBoxNoiseScale = 1.0,
        FocalAlpha = 0.25, SetCostClass = 2, SetCostBbox = 5, SetCostGiou = 2, ClsLossCoef = 1, BboxLossCoef = 5, GiouLossCoef = 2,
        NumSelect = 300,
    };

    /// <summary>DINO-5scale (config/DINO/DINO_5scale.py): DINO-4scale with layer1..layer4 plus one extra level.</summary>
    public static DinoConfig FiveScale(int numClasses = 91) => FourScale(numClasses) with { NumFeatureLevels = 5, ReturnInterimIndices = [0, 1, 2, 3] };

    // ---- backbone -----------------------------------------------------------------------------------------------
    /// <summary>resnet18, resnet34, resnet50 or resnet101 (--backbone).</summary>
    public string Backbone { get; init; } = "resnet18";
    /// <summary>Frozen batch norm (the reference, for pretrained weights) or trainable batch norm (training from scratch).</summary>
    public ResNetNorm BackboneNorm { get; init; } = ResNetNorm.BatchNorm;
    /// <summary>Freeze the stem and layer1 whenever the backbone trains (the reference's rule); false trains every layer.</summary>
    public bool FreezeStem { get; init; } = true;
    /// <summary>return_interm_indices of the backbone (0 = layer1): [1, 2, 3] for 4-scale, [0, 1, 2, 3] for 5-scale.</summary>
    [JsonPropertyName("return_interm_indices")]
    public int[] ReturnInterimIndices { get; init; } = [1, 2, 3];
    /// <summary>num_feature_levels: backbone levels plus extra stride-2 convolutions on the last one.</summary>
    public int NumFeatureLevels { get; init; } = 3;
    [JsonPropertyName("pe_temperatureH")]
    public double PeTemperatureH { get; init; } = 20;
    [JsonPropertyName("pe_temperatureW")]
    public double PeTemperatureW { get; init; } = 20;

    // ---- transformer --------------------------------------------------------------------------------------------
    /// <summary>num_queries: boxes selected from the encoder for the decoder.</summary>
    public int NumQueries { get; init; } = 100;
    /// <summary>hidden_dim. The query sine embedding has hidden_dim / 2 frequencies per coordinate: the reference's fixed 128 at its 256.</summary>
    public long HiddenDim { get; init; } = 128;
    /// <summary>nheads of every attention.</summary>
    [JsonPropertyName("nheads")]
    public int NHeads { get; init; } = 8;
    public int EncLayers { get; init; } = 2;
    public int DecLayers { get; init; } = 3;
    public long DimFeedforward { get; init; } = 512;
    public double Dropout { get; init; } = 0.0;
    public int EncNPoints { get; init; } = 4;
    public int DecNPoints { get; init; } = 4;
    /// <summary>One class head shared by every decoder layer.</summary>
    public bool DecPredClassEmbedShare { get; init; } = true;
    /// <summary>One box head shared by every decoder layer.</summary>
    public bool DecPredBboxEmbedShare { get; init; } = true;
    /// <summary>The encoder's class head is the decoder's (requires both dec_pred shares).</summary>
    public bool TwoStageClassEmbedShare { get; init; }
    /// <summary>The encoder's box head is the decoder's (requires both dec_pred shares).</summary>
    public bool TwoStageBboxEmbedShare { get; init; }

    // ---- contrastive denoising ------------------------------------------------------------------------------------
    /// <summary>dn_number: denoising queries per image before doubling (0: none).</summary>
    public int DnNumber { get; init; } = 5;
    /// <summary>Twice the probability of a denoising label flip.</summary>
    public double DnLabelNoiseRatio { get; init; } = 0.5;
    /// <summary>Denoising box jitter, in half box sizes.</summary>
    public double DnBoxNoiseScale { get; init; } = 1.0;
    /// <summary>dn_labelbook_size: label_enc has this + 1 rows; 0 = the number of classes (the reference sets them equal).</summary>
    public int DnLabelbookSize { get; init; }

    // ---- matcher and losses -------------------------------------------------------------------------------------
    /// <summary>α of the focal loss and of the matcher's focal class cost.</summary>
    public double FocalAlpha { get; init; } = 0.25;
    public double SetCostClass { get; init; } = 2;
    public double SetCostBbox { get; init; } = 5;
    public double SetCostGiou { get; init; } = 2;
    public double ClsLossCoef { get; init; } = 1;
    public double BboxLossCoef { get; init; } = 5;
    public double GiouLossCoef { get; init; } = 2;

    // ---- optimisation ----------------------------------------------------------------------------------------------
    /// <summary>lr_linear_proj_mult: the sampling offsets and reference-point projections train at lr × this (DINO's 0.1).</summary>
    public double LrLinearProjMult { get; init; } = 0.1;

    // ---- post-processing ------------------------------------------------------------------------------------------
    /// <summary>num_select: the best (query, class) pairs kept per image.</summary>
    public int NumSelect { get; init; } = 100;

    /// <summary>Rows of label_enc less one: dn_labelbook_size, or the number of classes when that is 0.</summary>
    [JsonIgnore]
    public int LabelbookSize => DnLabelbookSize > 0 ? DnLabelbookSize : NumClasses;

    /// <summary>The backbone as a <see cref="ResNetDepth"/>.</summary>
    [JsonIgnore]
    public ResNetDepth BackboneDepth => ResNetDepths.Parse(Backbone);

    public override void Validate()
    {
        ConfigException.OneOf(Backbone, "model.backbone", "resnet18", "resnet34", "resnet50", "resnet101");
        ConfigException.Check(ReturnInterimIndices is { Length: > 0 } r && r.All(i => i is >= 0 and <= 3) && r.Distinct().Count() == r.Length && r.SequenceEqual(r.Order()),
            $"model.return_interm_indices must be increasing ResNet stages in 0..3 (0 = layer1); got [{string.Join(", ", ReturnInterimIndices ?? [])}]");
        ConfigException.Check(NumFeatureLevels >= ReturnInterimIndices.Length,
            $"model.num_feature_levels ({NumFeatureLevels}) must be at least the {ReturnInterimIndices.Length} backbone levels of model.return_interm_indices");
        ValidateModel();
        ConfigException.Check(DnLabelbookSize == 0 || DnLabelbookSize >= NumClasses,
            $"model.dn_labelbook_size must be 0 (the number of classes) or at least the {NumClasses} classes; got {DnLabelbookSize}");
        ConfigException.Check(DnLabelNoiseRatio is >= 0 and <= 2 && double.IsFinite(DnLabelNoiseRatio), $"model.dn_label_noise_ratio must be in [0, 2]; got {DnLabelNoiseRatio}");
        ConfigException.NonNegative(DnBoxNoiseScale, "model.dn_box_noise_scale");
        ConfigException.Check(FocalAlpha is >= 0 and <= 1, $"model.focal_alpha must be in [0, 1]; got {FocalAlpha}");
        ConfigException.Check(LrLinearProjMult is > 0 and <= 10, $"model.lr_linear_proj_mult must be in (0, 10]; got {LrLinearProjMult}");
        ConfigException.NonNegative(SetCostClass, "model.set_cost_class");
        ConfigException.NonNegative(SetCostBbox, "model.set_cost_bbox");
        ConfigException.NonNegative(SetCostGiou, "model.set_cost_giou");
        ConfigException.NonNegative(ClsLossCoef, "model.cls_loss_coef");
        ConfigException.NonNegative(BboxLossCoef, "model.bbox_loss_coef");
        ConfigException.NonNegative(GiouLossCoef, "model.giou_loss_coef");
        ConfigException.Check(NumSelect >= 1, $"model.num_select must be >= 1; got {NumSelect}");
    }

    /// <summary>What the model's shapes need (checked by the model itself, whatever its backbone).</summary>
    internal void ValidateModel()
    {
        ConfigException.Check(NumClasses >= 1, $"the number of classes must be >= 1; got {NumClasses}");
        ConfigException.Check(NumQueries >= 1, $"model.num_queries must be >= 1; got {NumQueries}");
        ConfigException.Check(HiddenDim > 0 && HiddenDim % 2 == 0, $"model.hidden_dim must be positive and even (the query sine embedding has hidden_dim / 2 frequencies per coordinate); got {HiddenDim}");
        ConfigException.Check(NHeads > 0 && HiddenDim % NHeads == 0, $"model.nheads must divide model.hidden_dim: {HiddenDim} % {NHeads}");
        ConfigException.Check(EncLayers >= 0, $"model.enc_layers must be >= 0; got {EncLayers}");
        ConfigException.Check(DecLayers >= 1, $"model.dec_layers must be >= 1; got {DecLayers}");
        ConfigException.Check(DimFeedforward > 0, $"model.dim_feedforward must be positive; got {DimFeedforward}");
        ConfigException.Check(Dropout is >= 0 and <= 1, $"model.dropout must be in [0, 1]; got {Dropout}");
        ConfigException.Check(NumFeatureLevels >= 1, $"model.num_feature_levels must be >= 1; got {NumFeatureLevels}");
        ConfigException.Check(EncNPoints >= 1, $"model.enc_n_points must be >= 1; got {EncNPoints}");
        ConfigException.Check(DecNPoints >= 1, $"model.dec_n_points must be >= 1; got {DecNPoints}");
        ConfigException.Check(DnNumber >= 0, $"model.dn_number must be >= 0; got {DnNumber}");
        ConfigException.Positive(PeTemperatureH, "model.pe_temperatureH");
        ConfigException.Positive(PeTemperatureW, "model.pe_temperatureW");
        ConfigException.Check(!(TwoStageBboxEmbedShare || TwoStageClassEmbedShare) || (DecPredBboxEmbedShare && DecPredClassEmbedShare),
            "model.two_stage_bbox_embed_share / two_stage_class_embed_share need both decoder heads shared (model.dec_pred_class_embed_share and model.dec_pred_bbox_embed_share)");
    }
}
