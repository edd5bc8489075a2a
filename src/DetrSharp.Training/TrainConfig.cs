using System.Text.Json;
using System.Text.Json.Serialization;

namespace DetrSharp.Training;

/// <summary>
/// Everything a training run needs, with defaults chosen so that `detrsharp train` learns the built-in
/// synthetic shapes on a CPU in minutes: 128 px images and a ResNet-18 body ending at layer3 (an 8×8 feature
/// map at stride 16 for a quarter of the cost of 192 px at stride 32), layer2 and layer3 trained from scratch with
/// regular BatchNorm, the class loss weighted 4 and the matcher's class cost 2, and top-100 (query, class)
/// post-processing. Read from JSON (snake_case keys, as the reference's argparse
/// names), overridden by command-line flags, and stored in every checkpoint.
/// </summary>
public sealed record TrainConfig
{
    // ---- data --------------------------------------------------------------------------------------
    /// <summary>A COCO folder (annotations/instances_{train,val}[2017].json + image folders); null = the synthetic set.</summary>
    public string? Data { get; init; }
    /// <summary>Images of the synthetic set (when <see cref="Data"/> is null).</summary>
    public int SynthTrain { get; init; } = 1000;
    public int SynthVal { get; init; } = 200;
    public int SynthSize { get; init; } = 128;
    /// <summary>Shorter-side sizes for multi-scale training.</summary>
    public int[] TrainScales { get; init; } = [112, 120, 128, 136, 144];
    public int MaxSize { get; init; } = 224;
    /// <summary>The crop path of DETR's recipe: resize to one of these, crop to [crop_min, crop_max], resize again.</summary>
    public int[] CropResize { get; init; } = [112, 128];
    public int CropMin { get; init; } = 96;
    public int CropMax { get; init; } = 128;
    public int ValSize { get; init; } = 128;
    public bool SkipBadSamples { get; init; }

    // ---- optimisation -------------------------------------------------------------------------------------
    public int Epochs { get; init; } = 40;
    public int BatchSize { get; init; } = 8;
    public double Lr { get; init; } = 2e-4;
    public double LrBackbone { get; init; } = 2e-4;
    public double WeightDecay { get; init; } = 1e-4;
    public double ClipMaxNorm { get; init; } = 0.1;
    public int WarmupSteps { get; init; } = 100;
    /// <summary>"cosine" (per step, to 1% of lr) or "step" (×0.1 at <see cref="LrDrop"/>).</summary>
    public string LrSchedule { get; init; } = "cosine";
    public int LrDrop { get; init; } = 200;
    /// <summary>EMA decay of the weights used for evaluation (0 = off).</summary>
    public double Ema { get; init; }
    /// <summary>Stop after this many steps (0 = run all epochs): short runs, tests, time budgets.</summary>
    public long MaxSteps { get; init; }
    /// <summary>Stop (after a checkpoint) when this much time has passed (0 = no limit).</summary>
    public double TimeLimitMinutes { get; init; } = 15;

    // ---- model ------------------------------------------------------------------------------------------------
    public string Backbone { get; init; } = "resnet18";
    /// <summary>Regular (trainable) BatchNorm in the backbone: needed when training from scratch.</summary>
    public bool TrainableBatchNorm { get; init; } = true;
    public bool Dilation { get; init; }
    /// <summary>Freeze the stem and layer1 as DETR does (its rule applies whenever the backbone trains). Training them
    /// too costs a third more compute per step on small images (their backward at 4x the final resolution), which
    /// did not pay for itself within the default run's 15 minutes.</summary>
    public bool FreezeStem { get; init; } = true;
    /// <summary>ResNet stages: 4, 3 to end at layer3 (feature stride 16 instead of 32) or 2 to end at layer2 (stride 8).</summary>
    public int BackboneStages { get; init; } = 3;
    public int HiddenDim { get; init; } = 128;
    public int Nheads { get; init; } = 8;
    public int EncLayers { get; init; } = 2;
    public int DecLayers { get; init; } = 3;
    public int DimFeedforward { get; init; } = 512;
    public double Dropout { get; init; }
    public int NumQueries { get; init; } = 30;
    public bool PreNorm { get; init; }
    /// <summary>DAB-DETR's anchor-box queries (refined layer by layer) instead of DETR's learned query positions.</summary>
    public bool AnchorBoxes { get; init; }
    public bool AuxLoss { get; init; } = true;
    public string PositionEmbedding { get; init; } = "sine";
    /// <summary>Checkpoint (PyTorch or DetrSharp) to start the model from; loaded non-strictly.</summary>
    public string? InitFrom { get; init; }

    // ---- matcher and losses (DETR's defaults) -----------------------------------------------------------------------
    /// <summary>Class cost of the matcher (1 in DETR): 2 by default, with <see cref="CeLossCoef"/> 4, so that classes, not
    /// only boxes, drive the matching and the shared features while training from scratch.</summary>
    public double SetCostClass { get; init; } = 2;
    public double SetCostBbox { get; init; } = 5;
    public double SetCostGiou { get; init; } = 2;
    /// <summary>Weight of loss_ce (1 in DETR; Deformable DETR's cls_loss_coef). 4 by default: with DETR's 1 against
    /// L1 5 + GIoU 2 a backbone trained from scratch learned the boxes but hardly the classes (AP50 0.032 after the
    /// default 15 minutes, against 0.155 with 4).</summary>
    public double CeLossCoef { get; init; } = 4;
    public double BboxLossCoef { get; init; } = 5;
    public double GiouLossCoef { get; init; } = 2;
    public double EosCoef { get; init; } = 0.1;

    // ---- post-processing -------------------------------------------------------------------------------------------
    /// <summary>Detections per image: 0 = DETR's PostProcess (one per query, its best class); N = the N best
    /// (query, class) pairs, as Deformable DETR and DINO post-process.</summary>
    public int TopkDetections { get; init; } = 100;

    // ---- run ----------------------------------------------------------------------------------------------------------
    public long Seed { get; init; } = 42;
    /// <summary>
    /// libtorch intra-op threads (0 = one core fewer than the machine has, left to the data workers; on 2 cores one
    /// thread trains the default model 1.18-1.29x faster per step than two). See <see cref="TrainingThreads"/>.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>The libtorch threads training uses: <see cref="Threads"/>, or when 0 the core count less one, at least one.</summary>
    [JsonIgnore]
    public int TrainingThreads => Threads > 0 ? Threads : Math.Max(1, Environment.ProcessorCount - 1);
    /// <summary>Data workers (0 = core count).</summary>
    public int Workers { get; init; }
    public int EvalEvery { get; init; } = 10;
    public int LogEvery { get; init; } = 10;
    /// <summary>Steps between checkpoints (0 = at the end of each epoch only).</summary>
    public int CheckpointEvery { get; init; }
    public string Device { get; init; } = "cpu";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a config file; unknown keys and bad values are errors naming the file.</summary>
    public static TrainConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"config file not found: {path}", path);
        try { return FromJson(File.ReadAllText(path)).Validate(); }
        catch (JsonException e) { throw new ArgumentException($"{path}: invalid config: {e.Message}", e); }
    }

    public static TrainConfig FromJson(string json)
        => JsonSerializer.Deserialize<TrainConfig>(json, Json) ?? throw new JsonException("the config is null");

    /// <summary>Checks ranges; returns this for chaining.</summary>
    public TrainConfig Validate()
    {
        void Check(bool ok, string what) { if (!ok) throw new ArgumentException($"invalid config: {what}"); }
        Check(Epochs > 0, $"epochs must be positive (got {Epochs})");
        Check(BatchSize > 0, $"batch_size must be positive (got {BatchSize})");
        Check(Lr > 0, $"lr must be positive (got {Lr})");
        Check(LrBackbone >= 0, $"lr_backbone must be >= 0 (got {LrBackbone})");
        Check(NumQueries > 0, $"num_queries must be positive (got {NumQueries})");
        Check(HiddenDim > 0 && HiddenDim % Nheads == 0, $"hidden_dim ({HiddenDim}) must be a positive multiple of nheads ({Nheads})");
        Check(DecLayers > 0, "dec_layers must be positive");
        Check(LrSchedule is "cosine" or "step", $"lr_schedule must be \"cosine\" or \"step\" (got \"{LrSchedule}\")");
        Check(TrainScales.Length > 0 && TrainScales.All(s => s > 0), "train_scales must be positive sizes");
        Check(BackboneStages is >= 2 and <= 4, $"backbone_stages must be 2, 3 or 4 (got {BackboneStages})");
        Check(!(Dilation && BackboneStages != 4), $"dilation changes layer4, which backbone_stages {BackboneStages} drops");
        Check(new[] { CeLossCoef, BboxLossCoef, GiouLossCoef, EosCoef, SetCostClass, SetCostBbox, SetCostGiou }.All(v => v >= 0 && double.IsFinite(v)),
            "loss coefficients and matcher costs must be finite and >= 0");
        Check(TopkDetections >= 0, $"topk_detections must be >= 0 (got {TopkDetections})");
        Check(Ema == 0 || (Ema > 0 && Ema < 1), $"ema must be 0 or in (0, 1) (got {Ema})");
        Check(Backbone is "resnet18" or "resnet34" or "resnet50" or "resnet101", $"backbone must be resnet18/34/50/101 (got \"{Backbone}\")");
        return this;
    }
}
