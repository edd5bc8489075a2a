using DetrSharp.Detection.Configuration;

namespace DetrSharp.Training;

/// <summary>How the learning rate falls after the warm-up.</summary>
public enum LrScheduleKind
{
    /// <summary>Per step to 1% of the lr (and no later than the time limit, when one is set).</summary>
    Cosine,
    /// <summary>×0.1 at schedule.lr_drop epochs.</summary>
    Step,
}

/// <summary>The <c>schedule</c> section: how long a run lasts, the learning-rate schedule, and checkpoint cadence.</summary>
public sealed record ScheduleConfig
{
    public int Epochs { get; init; } = 40;
    public int WarmupSteps { get; init; } = 100;
    public LrScheduleKind LrSchedule { get; init; } = LrScheduleKind.Cosine;
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
        ConfigException.Check(LrDrop > 0, $"schedule.lr_drop must be positive; got {LrDrop}");
        ConfigException.Check(MaxSteps >= 0, $"schedule.max_steps must be >= 0 (0 = no limit); got {MaxSteps}");
        ConfigException.Check(double.IsFinite(TimeLimitMinutes) && TimeLimitMinutes >= 0, $"schedule.time_limit_minutes must be a finite number >= 0 (0 = no limit); got {TimeLimitMinutes}");
        ConfigException.Check(CheckpointEvery >= 0, $"schedule.checkpoint_every must be >= 0; got {CheckpointEvery}");
        ConfigException.NonNegative(CheckpointMinutes, "schedule.checkpoint_minutes");
    }
}
