using DetrSharp.Detection.Families;
using DetrSharp.Detection.Losses;
using DetrSharp.Detection.Matching;

namespace DetrSharp.Detection.Detr;

/// <summary>The DETR family: <see cref="DetrConfig"/>, the model from <see cref="DetrBuilder"/>, DETR's set criterion with the chosen matcher.</summary>
public sealed class DetrFamily : IDetectorFamily
{
    public static DetrFamily Instance { get; } = new();

    public string Name => "detr";
    public string Description => "DETR (ResNet + transformer, Hungarian matching, set criterion); DAB-DETR anchor boxes as an option";
    public Type ConfigType => typeof(DetrConfig);
    public ModelConfig Defaults { get; } = new DetrConfig();
    public IReadOnlyDictionary<string, string> RunDefaults { get; } = new Dictionary<string, string>();

    public IDetector Build(ModelConfig config, DetectorBuildOptions options)
    {
        var c = config as DetrConfig ?? throw new ArgumentException($"the detr family takes a DetrConfig, not {config.GetType().Name}", nameof(config));
        c = c with { TrainBackbone = options.TrainBackbone };
        c.Validate();
        var model = DetrBuilder.Build(c, options.Device);
        ISetMatcher matcher = c.Matcher == DetrMatcherKind.Mmdet
            ? MmdetSetMatcher.FromWeights(c.SetCostClass, c.SetCostBbox, c.SetCostGiou)
            : new HungarianMatcher(c.SetCostClass, c.SetCostBbox, c.SetCostGiou);
        var weights = LossWeights.Detr(c.DecLayers, c.BboxLossCoef, c.GiouLossCoef, c.AuxLoss, ceLossCoef: c.CeLossCoef);
        var criterion = new SetCriterion(c.NumClasses, matcher, weights, c.EosCoef,
            new[] { CriterionLoss.Labels, CriterionLoss.Boxes, CriterionLoss.Cardinality },
            new SetCriterionOptions { ReduceNumBoxes = options.ReduceNumBoxes });
        return new DetrDetector(model, criterion, c.TopkDetections);
    }
}
