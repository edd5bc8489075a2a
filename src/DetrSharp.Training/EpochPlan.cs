namespace DetrSharp.Training;

/// <summary>
/// The epochs a run plans to train: schedule.epochs, or, in a time-limited run with the per-epoch schedule (YOLO: the
/// time limit takes the place of ultralytics' <c>time</c>), what fits in the limit as ultralytics' time mode estimates
/// it after every epoch: ceil(time limit / mean epoch time) (validation included), so the run's lr decay and its
/// close_mosaic epochs count back from the estimated end. The trainer's loop, the learning-rate schedule and the training
/// augmentation read the same plan; checkpoints hold it and the training time used, so a resumed run continues both.
/// </summary>
public sealed class EpochPlan
{
    public EpochPlan(int epochs) => Epochs = epochs;

    /// <summary>The epochs planned now.</summary>
    public int Epochs
    {
        get => _epochs;
        set => _epochs = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"a run plans at least one epoch; got {value}");
    }
    int _epochs;

    /// <summary>
    /// Whether <paramref name="epoch"/> is in the run's last <paramref name="lastEpochs"/> epochs (close_mosaic): from
    /// epochs − lastEpochs of the plan, and once an epoch was, every later one stays in them even if the plan grows
    /// (ultralytics closes mosaic once). Asked by the loader's workers, for the epoch in progress only.
    /// </summary>
    public bool InLastPart(int epoch, int lastEpochs)
    {
        lock (_gate)
        {
            if (LastPartFrom is int from && epoch >= from) return true;
            if (lastEpochs <= 0 || epoch < Epochs - lastEpochs) return false;
            LastPartFrom = Math.Min(LastPartFrom ?? epoch, epoch);
            return true;
        }
    }
    readonly object _gate = new();

    /// <summary>The first epoch of the last part once the run reached it (null before); checkpoints hold it.</summary>
    public int? LastPartFrom { get; set; }

    /// <summary>Whether a run with these settings re-plans its epochs from its time limit (per-epoch schedule and a limit).</summary>
    public static bool FitsTime(ScheduleConfig schedule) => schedule.TimeLimitMinutes > 0 && schedule.LrUpdate == LrUpdate.Epoch;

    /// <summary>
    /// ultralytics' estimate after an epoch: ceil(<paramref name="limitMinutes"/> / mean epoch time), the mean over the
    /// <paramref name="epochsDone"/> epochs trained in <paramref name="minutes"/> minutes (validation included); never fewer
    /// than the epochs done (then the run stops).
    /// </summary>
    public static int Estimate(int epochsDone, double minutes, double limitMinutes)
    {
        if (epochsDone <= 0 || !(minutes > 0)) throw new ArgumentOutOfRangeException(nameof(epochsDone), "the estimate needs a finished epoch and its time");
        double fit = Math.Ceiling(limitMinutes * epochsDone / minutes - 1e-9);
        return (int)Math.Max(epochsDone, Math.Min(1_000_000, fit));
    }
}
