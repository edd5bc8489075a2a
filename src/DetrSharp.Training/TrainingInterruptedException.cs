namespace DetrSharp.Training;

/// <summary>
/// A run stopped on request (SIGTERM, Ctrl-C, a cancelled token) after finishing its current step and writing a
/// checkpoint; no final evaluation was done. Running the same command again resumes it.
/// </summary>
public sealed class TrainingInterruptedException(long step, string checkpoint, string? reason = null)
    : Exception($"training was interrupted{(reason != null ? $" ({reason})" : "")} at step {step}; the checkpoint {checkpoint} holds it: " +
                "run the same command again to resume (add --restart to start over instead)")
{
    public long Step { get; } = step;
    public string CheckpointPath { get; } = checkpoint;
}
