namespace DetrSharp.Training;

/// <summary>
/// Receives what a run does, for progress bars or plain lines (the CLI), or nothing (tests). Epochs are numbered
/// from 1 to schedule.epochs, as in log.jsonl; a checkpoint's "epoch" is the number of epochs done.
/// </summary>
public interface ITrainingObserver
{
    void RunStarted(RunConfig config, long totalSteps, TrainingProgress start) { }
    void StepDone(long step, long totalSteps, int epoch, IReadOnlyDictionary<string, double> losses, double lr, double stepSeconds) { }
    void EvaluationStarted(int epoch) { }
    void EvaluationDone(int epoch, EvalResult result) { }
    void Message(string text) { }
    /// <summary>A time-limited run re-planned its epochs to <paramref name="epochs"/> (<see cref="EpochPlan"/>); <paramref name="text"/> says why.</summary>
    void EpochsPlanned(int epochs, string text) => Message(text);
    /// <summary>A checkpoint of <paramref name="progress"/> was written to <paramref name="path"/>.</summary>
    void CheckpointSaved(TrainingProgress progress, string path) { }
}

/// <summary>An observer that ignores everything.</summary>
public sealed class SilentObserver : ITrainingObserver
{
    public static readonly SilentObserver Instance = new();
}
