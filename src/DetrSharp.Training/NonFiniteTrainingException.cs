namespace DetrSharp.Training;

/// <summary>
/// Training diverged: the model's predictions, its weights or its gradients became NaN or infinite. The run stops
/// at <see cref="Step"/> before the optimizer applies anything of that step, so the last checkpoint stays good.
/// </summary>
public sealed class NonFiniteTrainingException(long step, string what, Exception? inner = null)
    : Exception($"training diverged at step {step}: {what}; stopping (the last good checkpoint is kept; " +
                "a lower optim.lr, a longer schedule.warmup_steps or optim.clip_max_norm may help)", inner)
{
    public long Step { get; } = step;
    /// <summary>What was not finite (e.g. "the predicted boxes", "the gradient norm", "weight transformer.x").</summary>
    public string What { get; } = what;
}
