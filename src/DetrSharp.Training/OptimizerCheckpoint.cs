using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;

namespace DetrSharp.Training;

/// <summary>
/// What a checkpoint holds of the optimizer beyond its state_dict: the optimizer "auto" chose (so a resumed run keeps
/// it), and the batches accumulated towards the next optimizer step with their summed gradients (so a run stopped
/// between optimizer steps resumes exactly). Checkpoints without these entries resume with none pending.
/// </summary>
public static class OptimizerCheckpoint
{
    const string ChoiceKey = "optimizer_choice", PendingKey = "accumulated_batches", GradientsKey = "accumulated_gradients";

    /// <summary>Adds the entries to a checkpoint's root (gradients only while batches are pending).</summary>
    public static void Write(Dictionary<string, object?> root, OptimizerChoice choice, TrainingStep step)
    {
        root[ChoiceKey] = new Dictionary<string, object?>
        {
            ["name"] = choice.Name, ["lr"] = choice.Lr, ["sgd_momentum"] = choice.SgdMomentum, ["auto"] = choice.Auto,
        };
        root[PendingKey] = (long)step.Pending;
        root[GradientsKey] = step.Pending > 0 ? step.PendingGradients() : null;
    }

    /// <summary>The choice a checkpoint recorded, or null (written before it was recorded).</summary>
    public static OptimizerChoice? Choice(PickleDict root)
    {
        if (!root.TryGetValue(ChoiceKey, out var v) || v is not PickleDict d) return null;
        return new OptimizerChoice((string)d["name"]!, Convert.ToDouble(d["lr"]), Convert.ToDouble(d["sgd_momentum"]), (bool)d["auto"]!);
    }

    /// <summary>Restores the pending batches and their gradients into <paramref name="step"/> (none when the checkpoint has none).</summary>
    public static void RestorePending(PickleDict root, TrainingStep step)
    {
        int pending = root.TryGetValue(PendingKey, out var p) && p is long n ? checked((int)n) : 0;
        var grads = pending > 0 && root.TryGetValue(GradientsKey, out var g) && g != null ? Checkpoint.StateDict(g) : new Dictionary<string, Tensor>();
        if (pending > 0 && grads.Count == 0)
            throw new InvalidDataException($"the checkpoint has {pending} accumulated batches but not their gradients");
        step.RestorePending(pending, grads);
    }
}
