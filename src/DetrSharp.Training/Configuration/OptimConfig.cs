using DetrSharp.Detection.Configuration;

namespace DetrSharp.Training;

/// <summary>The <c>optim</c> section: optimizer, learning rates, decay, clipping, gradient accumulation and the EMA of the weights.</summary>
public sealed record OptimConfig
{
    /// <summary>
    /// adamw (DETR's and DINO's optimizer), sgd (Nesterov momentum, L2 decay added to the gradient) or auto: ultralytics'
    /// choice by planned optimizer steps (<see cref="TrainingOptimizer.Choose"/>).
    /// </summary>
    public string Optimizer { get; init; } = "adamw";
    public double Lr { get; init; } = 2e-4;
    /// <summary>Learning rate of the backbone; 0 freezes it, as the reference.</summary>
    public double LrBackbone { get; init; } = 2e-4;
    /// <summary>SGD's (Nesterov) momentum; schedule.warmup_momentum ramps it during the warm-up. AdamW keeps beta1 0.9.</summary>
    public double SgdMomentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>
    /// ultralytics' nominal batch size (nbs): gradients of round(nbs / batch_size) batches are summed before each
    /// optimizer step and the weight decay is scaled by batch_size × that / nbs (0 = one step per batch, decay as given).
    /// </summary>
    public int NominalBatchSize { get; init; }
    /// <summary>Gradient clipping by total norm (0 = off).</summary>
    public double ClipMaxNorm { get; init; } = 0.1;
    /// <summary>EMA decay of the weights used for evaluation (0 = off).</summary>
    public double Ema { get; init; }
    /// <summary>With an EMA, ultralytics' ramp: decay × (1 − exp(−updates / ema_tau)) (0 = the decay from the first update).</summary>
    public double EmaTau { get; init; }

    /// <summary>Batches whose gradients make one optimizer step: max(round(nbs / batch), 1), or 1 without a nominal batch.</summary>
    public int Accumulate(int batchSize)
        => NominalBatchSize > 0 ? Math.Max((int)Math.Round((double)NominalBatchSize / batchSize, MidpointRounding.ToEven), 1) : 1;

    /// <summary>The weight decay of a run at this batch size: scaled by batch × accumulate / nbs as ultralytics, with a nominal batch.</summary>
    public double ScaledWeightDecay(int batchSize)
        => NominalBatchSize > 0 ? WeightDecay * batchSize * Accumulate(batchSize) / NominalBatchSize : WeightDecay;

    public void Validate()
    {
        ConfigException.OneOf(Optimizer, "optim.optimizer", "adamw", "sgd", "auto");
        ConfigException.Check(double.IsFinite(Lr) && Lr > 0 && Lr < 1, $"optim.lr must be in (0, 1); got {Lr}");
        ConfigException.Check(double.IsFinite(LrBackbone) && LrBackbone >= 0 && LrBackbone < 1, $"optim.lr_backbone must be in [0, 1) (0 freezes the backbone); got {LrBackbone}");
        ConfigException.Check(double.IsFinite(SgdMomentum) && SgdMomentum > 0 && SgdMomentum < 1, $"optim.sgd_momentum must be in (0, 1) (Nesterov momentum needs one); got {SgdMomentum}");
        ConfigException.NonNegative(WeightDecay, "optim.weight_decay");
        ConfigException.Check(NominalBatchSize >= 0, $"optim.nominal_batch_size must be >= 0 (0 = no accumulation); got {NominalBatchSize}");
        ConfigException.NonNegative(ClipMaxNorm, "optim.clip_max_norm");
        ConfigException.Check(Ema == 0 || (Ema > 0 && Ema < 1), $"optim.ema must be 0 (off) or in (0, 1); got {Ema}");
        ConfigException.NonNegative(EmaTau, "optim.ema_tau");
    }
}
