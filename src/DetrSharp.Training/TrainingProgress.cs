namespace DetrSharp.Training;

/// <summary>Where a run is: the next epoch and batch to do, and how many steps are done.</summary>
public sealed record TrainingProgress(int Epoch, int BatchInEpoch, long Step);
