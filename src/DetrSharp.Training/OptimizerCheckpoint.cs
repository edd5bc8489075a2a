using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;

namespace DetrSharp.Training;

/// <summary>
/// What a checkpoint holds of the optimizer beyond its state_dict: the optimizer "auto" chose (so a resumed run keeps
/// it), and the batches accumulated towards the next optimizer step with their summed gradients (so a run stopped
/// between optimizer steps resumes exactly), and fp16's loss scaler state. Checkpoints without these entries resume with
/// none pending and a fresh scaler.
/// </summary>
public static class OptimizerCheckpoint
{
    const string ChoiceKey = "optimizer_choice", PendingKey = "accumulated_batches", GradientsKey = "accumulated_gradients",
        ScalerKey = "grad_scaler";

    /// <summary>Adds the entries to a checkpoint's root (gradients only while batches are pending).</summary>
    public static void Write(Dictionary<string, object?> root, OptimizerChoice choice, TrainingStep step)
    {
        root[ChoiceKey] = new Dictionary<string, object?>
        {
            ["name"] = choice.Name, ["lr"] = choice.Lr, ["sgd_momentum"] = choice.SgdMomentum, ["auto"] = choice.Auto,
        };
        root[PendingKey] = (long)step.Pending;
        root[GradientsKey] = step.Pending > 0 ? step.PendingGradients() : null;
        root[ScalerKey] = step.Scaler?.state_dict();
    }

    /// <summary>
    /// fp16: restores the loss scaler's scale and growth tracker (torch's GradScaler.state_dict) so a resumed run scales
    /// as the stopped one would have; a checkpoint without them (another precision, or written before) leaves the
    /// scaler at its initial state. Nothing to do for a step without a scaler.
    /// </summary>
    public static void RestoreScaler(PickleDict root, TrainingStep step)
    {
        if (step.Scaler is not { } scaler || !root.TryGetValue(ScalerKey, out var v) || v is not PickleDict d) return;
        var state = new Dictionary<string, object?>();
        foreach (var (k, value) in d)
            if (k is string name) state[name] = value;
        foreach (var key in new[] { "scale", "_growth_tracker" })
            if (!state.ContainsKey(key)) throw new InvalidDataException($"the checkpoint's grad_scaler has no '{key}'");
        scaler.load_state_dict(state);
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
