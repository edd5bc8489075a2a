using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;

namespace DetrSharp.Training;

/// <summary>
/// Training checkpoints in PyTorch's zip format (readable by Python's torch.load): model, optimizer,
/// LR scheduler, EMA, progress, the RNG state and the config, written to a temporary file and renamed.
/// </summary>
public static class Checkpoint
{
    public const string FileName = "checkpoint.pth";

    public static void Save(string path, nn.Module model, optim.Optimizer optimizer, optim.lr_scheduler.LRScheduler scheduler,
        ModelEma? ema, TrainingProgress progress, RunConfig config, Dictionary<string, object?>? extra = null)
    {
        using var scope = torch.NewDisposeScope();
        var root = new Dictionary<string, object?>
        {
            ["model"] = model.state_dict(),
            ["optimizer"] = optimizer.state_dict(),
            ["lr_scheduler"] = scheduler.state_dict(),
            ["ema"] = ema?.state_dict(),
            ["ema_updates"] = ema?.Updates,
            ["epoch"] = (long)progress.Epoch,
            ["batch_in_epoch"] = (long)progress.BatchInEpoch,
            ["step"] = progress.Step,
            ["rng_state"] = Generator.Default.get_state(),
            ["config"] = config.ToJson(),
        };
        if (extra != null) foreach (var (k, v) in extra) root[k] = v;
        NchwLayout.Apply(root);   // a channels_last model's weights and their optimizer state are written NCHW
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        torch.save(root, path);
    }

    /// <summary>A loaded checkpoint's parts; dispose to free its tensors.</summary>
    public sealed class Loaded : IDisposable
    {
        public required PickleDict Root { get; init; }
        public TrainingProgress Progress => new((int)(long)Root["epoch"]!, (int)(long)Root["batch_in_epoch"]!, (long)Root["step"]!);
        public RunConfig Config => RunConfig.FromJson((string)Root["config"]!);
        public Dictionary<string, Tensor> Model => StateDict(Root["model"]);
        public Dictionary<string, Tensor>? Ema => Root.TryGetValue("ema", out var e) && e != null ? StateDict(e) : null;
        public void Dispose() => CheckpointTree.DisposeTensors(Root);
    }

    public static Loaded Load(string path)
    {
        var root = torch.load(path) as PickleDict
            ?? throw new CheckpointFormatException(path, "not a DetrSharp training checkpoint (the top level is not a dict)");
        foreach (var key in new[] { "model", "optimizer", "lr_scheduler", "epoch", "step", "batch_in_epoch", "rng_state", "config" })
            if (!root.ContainsKey(key)) throw new CheckpointFormatException(path, $"not a DetrSharp training checkpoint (no '{key}' entry)");
        return new Loaded { Root = root };
    }

    /// <summary>Restores model, optimizer, scheduler, EMA and the RNG from a loaded checkpoint.</summary>
    public static void Restore(Loaded ckpt, nn.Module model, optim.Optimizer optimizer, optim.lr_scheduler.LRScheduler scheduler, ModelEma? ema)
    {
        model.load_state_dict(ckpt.Model, strict: true);
        optimizer.load_state_dict((PickleDict)ckpt.Root["optimizer"]!);
        scheduler.load_state_dict((PickleDict)ckpt.Root["lr_scheduler"]!);
        if (ema != null && ckpt.Ema is { } e)
        {
            ema.load_state_dict(e);
            // checkpoints before the EMA ramp: the update count is the step (one update per step then)
            ema.Updates = ckpt.Root.TryGetValue("ema_updates", out var u) && u is long n ? n : ckpt.Progress.Step;
        }
        Generator.Default.set_state((Tensor)ckpt.Root["rng_state"]!);
    }

    /// <summary>A state dict (string keys to tensors) from a loaded dict, e.g. a checkpoint's "model" entry.</summary>
    public static Dictionary<string, Tensor> StateDict(object? value)
    {
        if (value is not PickleDict d) throw new InvalidDataException("expected a state dict");
        var sd = new Dictionary<string, Tensor>(d.Count);
        foreach (var (k, v) in d)
            if (k is string name && v is Tensor t) sd[name] = t;
        return sd;
    }
}
