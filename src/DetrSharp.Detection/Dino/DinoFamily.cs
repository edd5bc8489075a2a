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
    /// DINO's recipe (AdamW, weight decay 1e-4, gradient clipping 0.1, sampling offsets at 0.1 of the lr) adapted to
    /// training from scratch on a 2-core CPU in minutes: lr 1e-3 (the reference's 1e-4 is for 12 epochs of COCO with a
    /// pretrained body; in a pair of 15-minute runs of the CPU defaults on one thread each, 1e-3 reached validation AP50
    /// 0.43 in 795 steps against 0.37 in 724 at 6e-4, and in an 8-minute pair 6e-4 reached 0.25 against 0.12 at 2e-4), the backbone at the same rate (the reference's 1e-5
    /// only fine-tunes a pretrained body; a random one must learn), and validation every 2 epochs (a run of 15 minutes
    /// trains about 7).
    /// </summary>
    public IReadOnlyDictionary<string, string> RunDefaults { get; } = new Dictionary<string, string>
    {
        ["optim.lr"] = "0.001", ["optim.lr_backbone"] = "0.001", ["optim.weight_decay"] = "0.0001", ["optim.clip_max_norm"] = "0.1",
        ["eval.every"] = "2",
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
