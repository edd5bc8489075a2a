using DetrSharp.Detection.Families;
using DetrSharp.Detection.Matching;

namespace DetrSharp.Detection.Dino;

/// <summary>The DINO family: <see cref="DinoConfig"/>, the model from <see cref="DinoBuilder"/>, DINO's criterion with the focal-cost matcher.</summary>
public sealed class DinoFamily : IDetectorFamily
{
    public static DinoFamily Instance { get; } = new();

    public string Name => "dino";
    public string Description => "DINO (multi-scale deformable attention, two-stage query selection, contrastive denoising)";
    public Type ConfigType => typeof(DinoConfig);
    public ModelConfig Defaults { get; } = new DinoConfig();

    /// <summary>
    /// DINO's recipe (AdamW, weight decay 1e-4, gradient clipping 0.1) adapted to training from scratch on a CPU: lr 2e-4
    /// (the reference's 1e-4 is for 12 epochs of COCO with a pretrained body; 2e-4 is DetrSharp's DETR default, which
    /// learns the synthetic shapes in minutes), and the backbone at the same rate (the reference's 1e-5 only fine-tunes
    /// a pretrained body; a random one must learn).
    /// </summary>
    public IReadOnlyDictionary<string, string> RunDefaults { get; } = new Dictionary<string, string>
    {
        ["optim.lr"] = "0.0002", ["optim.lr_backbone"] = "0.0002", ["optim.weight_decay"] = "0.0001", ["optim.clip_max_norm"] = "0.1",
    };

    public IDetector Build(ModelConfig config, DetectorBuildOptions options)
    {
        var c = config as DinoConfig ?? throw new ArgumentException($"the dino family takes a DinoConfig, not {config.GetType().Name}", nameof(config));
        c.Validate();
        var model = DinoBuilder.Build(c, options.TrainBackbone, options.Device);
        var matcher = new HungarianMatcher(HungarianMatcherOptions.Dino with
        {
            CostClass = c.SetCostClass, CostBbox = c.SetCostBbox, CostGiou = c.SetCostGiou, FocalAlpha = c.FocalAlpha,
        });
        var weights = DinoCriterion.DefaultWeights(c.DecLayers, c.ClsLossCoef, c.BboxLossCoef, c.GiouLossCoef, useDn: c.DnNumber > 0);
        var criterion = new DinoCriterion(c.NumClasses, matcher, weights, c.FocalAlpha, options.ReduceNumBoxes);
        return new DinoDetector(model, criterion, c);
    }
}
