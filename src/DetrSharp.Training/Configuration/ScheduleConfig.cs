using DetrSharp.Detection.Configuration;

namespace DetrSharp.Training;

/// <summary>How the learning rate falls after the warm-up.</summary>
public enum LrScheduleKind
{
    /// <summary>Cosine to lrf × lr (and no later than the time limit, when one is set).</summary>
    Cosine,
    /// <summary>×0.1 at schedule.lr_drop epochs.</summary>
    Step,
    /// <summary>ultralytics' default: (1 − x) × (1 − lrf) + lrf of the run's progress x (epochs done / epochs).</summary>
    Linear,
}

/// <summary>How often the schedule after the warm-up moves.</summary>
public enum LrUpdate
{
    /// <summary>Every step, counted from the warm-up's end (DETR, DINO).</summary>
    Step,
    /// <summary>Once per epoch, counted from the run's start, as ultralytics' LambdaLR (YOLO).</summary>
    Epoch,
}

/// <summary>The <c>schedule</c> section: how long a run lasts, the warm-up and learning-rate schedule, and checkpoint cadence.</summary>
public sealed record ScheduleConfig
{
    public int Epochs { get; init; } = 40;
    /// <summary>Warm-up steps; with warmup_epochs, the fewest (ultralytics' 100).</summary>
    public int WarmupSteps { get; init; } = 100;
    /// <summary>Warm-up of max(round(warmup_epochs × batches per epoch), warmup_steps) steps (0 = warmup_steps alone).</summary>
    public double WarmupEpochs { get; init; }
    /// <summary>The warm-up rises linearly from this share of each group's scheduled lr (biases: see warmup_bias_lr).</summary>
    public double WarmupStartFactor { get; init; } = 0.01;
    /// <summary>The lr the bias group (ultralytics' first group) starts its warm-up at, falling to the schedule's (0 = as the others).</summary>
    public double WarmupBiasLr { get; init; }
    /// <summary>SGD's momentum rises from this to optim.sgd_momentum during the warm-up (0 = no momentum warm-up).</summary>
    public double WarmupMomentum { get; init; }
    public LrScheduleKind LrSchedule { get; init; } = LrScheduleKind.Cosine;
    public LrUpdate LrUpdate { get; init; } = LrUpdate.Step;
    /// <summary>The cosine and linear schedules end at lrf × lr.</summary>
    public double Lrf { get; init; } = 0.01;
    /// <summary>Epoch of the ×0.1 drop (step schedule).</summary>
    public int LrDrop { get; init; } = 200;
    /// <summary>Stop after this many steps (0 = run all epochs).</summary>
    public long MaxSteps { get; init; }
    /// <summary>Stop (after a checkpoint) when this much time has passed (0 = no limit).</summary>
    public double TimeLimitMinutes { get; init; } = 15;
    /// <summary>Steps between checkpoints (0 = at the end of each epoch only).</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>Minutes of training between checkpoints (0 = off), so a killed run loses at most that much.</summary>
    public double CheckpointMinutes { get; init; } = 10;

    public void Validate()
    {
        ConfigException.Check(Epochs > 0, $"schedule.epochs must be positive; got {Epochs}");
        ConfigException.Check(WarmupSteps >= 0, $"schedule.warmup_steps must be >= 0; got {WarmupSteps}");
        ConfigException.NonNegative(WarmupEpochs, "schedule.warmup_epochs");
        ConfigException.Check(double.IsFinite(WarmupStartFactor) && WarmupStartFactor is >= 0 and <= 1, $"schedule.warmup_start_factor must be in [0, 1]; got {WarmupStartFactor}");
        ConfigException.Check(double.IsFinite(WarmupBiasLr) && WarmupBiasLr is >= 0 and < 1, $"schedule.warmup_bias_lr must be in [0, 1) (0 = as the other groups); got {WarmupBiasLr}");
        ConfigException.Check(double.IsFinite(WarmupMomentum) && WarmupMomentum is >= 0 and < 1, $"schedule.warmup_momentum must be in [0, 1) (0 = no momentum warm-up); got {WarmupMomentum}");
        ConfigException.Check(double.IsFinite(Lrf) && Lrf is > 0 and <= 1, $"schedule.lrf must be in (0, 1] (the final lr as a share of optim.lr); got {Lrf}");
        ConfigException.Check(LrDrop > 0, $"schedule.lr_drop must be positive; got {LrDrop}");
        ConfigException.Check(MaxSteps >= 0, $"schedule.max_steps must be >= 0 (0 = no limit); got {MaxSteps}");
        ConfigException.Check(double.IsFinite(TimeLimitMinutes) && TimeLimitMinutes >= 0, $"schedule.time_limit_minutes must be a finite number >= 0 (0 = no limit); got {TimeLimitMinutes}");
        ConfigException.Check(CheckpointEvery >= 0, $"schedule.checkpoint_every must be >= 0; got {CheckpointEvery}");
        ConfigException.NonNegative(CheckpointMinutes, "schedule.checkpoint_minutes");
    }
}
