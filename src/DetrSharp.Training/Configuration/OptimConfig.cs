using DetrSharp.Detection.Configuration;

namespace DetrSharp.Training;

/// <summary>The <c>optim</c> section: optimizer, learning rates, decay, clipping and the EMA of the weights.</summary>
public sealed record OptimConfig
{
    /// <summary>AdamW (DETR's and DINO's optimizer).</summary>
    public string Optimizer { get; init; } = "adamw";
    public double Lr { get; init; } = 2e-4;
    /// <summary>Learning rate of the backbone; 0 freezes it, as the reference.</summary>
    public double LrBackbone { get; init; } = 2e-4;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Gradient clipping by total norm (0 = off).</summary>
    public double ClipMaxNorm { get; init; } = 0.1;
    /// <summary>EMA decay of the weights used for evaluation (0 = off).</summary>
    public double Ema { get; init; }

    public void Validate()
    {
        ConfigException.OneOf(Optimizer, "optim.optimizer", "adamw");
        ConfigException.Check(double.IsFinite(Lr) && Lr > 0 && Lr < 1, $"optim.lr must be in (0, 1); got {Lr}");
        ConfigException.Check(double.IsFinite(LrBackbone) && LrBackbone >= 0 && LrBackbone < 1, $"optim.lr_backbone must be in [0, 1) (0 freezes the backbone); got {LrBackbone}");
        ConfigException.NonNegative(WeightDecay, "optim.weight_decay");
        ConfigException.NonNegative(ClipMaxNorm, "optim.clip_max_norm");
        ConfigException.Check(Ema == 0 || (Ema > 0 && Ema < 1), $"optim.ema must be 0 (off) or in (0, 1); got {Ema}");
    }
}
