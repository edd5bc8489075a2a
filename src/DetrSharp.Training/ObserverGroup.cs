namespace DetrSharp.Training;

/// <summary>Several observers as one: each event goes to each, in order (e.g. the console and the run pictures).</summary>
public sealed class ObserverGroup(params ITrainingObserver[] observers) : ITrainingObserver
{
    public void RunStarted(RunConfig config, long totalSteps, TrainingProgress start)
    {
        foreach (var o in observers) o.RunStarted(config, totalSteps, start);
    }

    public void StepDone(long step, long totalSteps, int epoch, IReadOnlyDictionary<string, double> losses, double lr, double stepSeconds)
    {
        foreach (var o in observers) o.StepDone(step, totalSteps, epoch, losses, lr, stepSeconds);
    }

    public void EvaluationStarted(int epoch)
    {
        foreach (var o in observers) o.EvaluationStarted(epoch);
    }

    public void EvaluationDone(int epoch, EvalResult result)
    {
        foreach (var o in observers) o.EvaluationDone(epoch, result);
    }

    public void Message(string text)
    {
        foreach (var o in observers) o.Message(text);
    }

    public void EpochsPlanned(int epochs, string text)
    {
        foreach (var o in observers) o.EpochsPlanned(epochs, text);
    }

    public void CheckpointSaved(TrainingProgress progress, string path)
    {
        foreach (var o in observers) o.CheckpointSaved(progress, path);
    }
}
