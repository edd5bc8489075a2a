using DetrSharp.Torch.Serialization;

namespace DetrSharp.Torch;

/// <summary>Loading a checkpoint file into a module by name: <c>model.load_state_dict("detr-r50.pth")</c>.</summary>
public static class ModuleCheckpointExtensions
{
    /// <summary>
    /// Reads a checkpoint file and copies its state dict into <paramref name="module"/>'s parameters and buffers
    /// by name. The state dict is the file's top-level dict of tensors, or the dict under <paramref name="key"/>,
    /// or (when neither is given) under <c>model</c>, <c>state_dict</c> or <c>model_state_dict</c> as training
    /// checkpoints hold it. Strict: missing keys, unexpected keys or shape mismatches raise
    /// <see cref="StateDictMismatchException"/> naming them and nothing is loaded; non-strict: every key that
    /// fits is loaded and the rest reported (fine-tuning a 91-class checkpoint into a 3-class model).
    /// The loaded tensors are freed before returning.
    /// </summary>
    public static LoadStateDictResult load_state_dict(this nn.Module module, string path, bool strict = true, string? key = null)
    {
        var root = torch.load(path);
        try
        {
            var stateDict = StateDictOf(root, path, key);
            return module.load_state_dict(stateDict, strict);
        }
        finally
        {
            CheckpointTree.DisposeTensors(root);
        }
    }

    /// <summary>
    /// The state dict inside what <see cref="torch.load(string, Device?)"/> returned (see
    /// <see cref="load_state_dict(nn.Module, string, bool, string?)"/> for where it is looked for), as an
    /// ordered name → tensor dictionary sharing the loaded tensors.
    /// </summary>
    public static OrderedDictionary<string, Tensor> StateDictOf(object? checkpoint, string source = "checkpoint", string? key = null)
    {
        if (key != null)
        {
            if (checkpoint is not PickleDict top || !top.TryGetValue(key, out var inner))
                throw new KeyNotFoundException($"{source}: no '{key}' entry at the top level");
            return AsStateDict(inner) ?? throw new InvalidDataException($"{source}: '{key}' is not a dict of tensors");
        }
        if (AsStateDict(checkpoint) is { } direct) return direct;
        if (checkpoint is PickleDict d)
        {
            foreach (var name in new[] { "model", "state_dict", "model_state_dict" })
                if (d.TryGetValue(name, out var v) && AsStateDict(v) is { } sd) return sd;
            throw new InvalidDataException($"{source}: no state dict found; top-level keys are {string.Join(", ", d.Keys.Select(k => PickleFormat.Repr(k)))} (pass key)");
        }
        throw new InvalidDataException($"{source}: holds a {checkpoint?.GetType().Name ?? "None"}, not a state dict");
    }

    static OrderedDictionary<string, Tensor>? AsStateDict(object? value)
    {
        if (value is not PickleDict d || d.Count == 0) return null;
        var sd = new OrderedDictionary<string, Tensor>();
        foreach (var kv in d)
        {
            if (kv.Key is not string k || kv.Value is not Tensor t) return null;
            sd[k] = t;
        }
        return sd;
    }
}
