using System.Text.Json.Nodes;
using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;

namespace DetrSharp.Training;

/// <summary>What a weights file given to <c>--weights</c> (model.init_from) is.</summary>
public enum WeightsKind
{
    /// <summary>A checkpoint written by <c>detrsharp train</c> (its <c>model</c> entry and the run's config).</summary>
    DetrSharpCheckpoint,
    /// <summary>A PyTorch state dict with the model's key names: an official DETR or DINO <c>.pth</c> (its <c>model</c> dict) or a bare one.</summary>
    StateDict,
    /// <summary>An ultralytics <c>.pt</c> (the pickled DetectionModel under <c>ema</c> or <c>model</c>).</summary>
    Ultralytics,
    /// <summary>A torchvision ResNet state dict (<c>conv1.weight</c>, <c>layer1.0.conv1.weight</c>, <c>fc.weight</c>): the backbone only.</summary>
    TorchvisionResNet,
}

/// <summary>
/// A weights file read for fine-tuning: its kind, the family it was written for when the file says (a DetrSharp
/// checkpoint's model.name, an ultralytics model's name such as yolov8n), and its tensors by the file's key names.
/// Dispose to free the tensors.
/// </summary>
public sealed class WeightsFile : IDisposable
{
    readonly Action _dispose;

    WeightsFile(string path, WeightsKind kind, string? model, OrderedDictionary<string, Tensor> stateDict, Action dispose)
    {
        Path = path;
        Kind = kind;
        Model = model;
        StateDict = stateDict;
        _dispose = dispose;
    }

    public string Path { get; }
    public WeightsKind Kind { get; }
    /// <summary>A DetrSharp checkpoint's family (detr, dino, yolov8, yolov10) or an ultralytics model's name (yolov8n); null when the file does not say.</summary>
    public string? Model { get; }
    /// <summary>The tensors by the file's key names (a torchvision ResNet's without any prefix).</summary>
    public OrderedDictionary<string, Tensor> StateDict { get; }

    /// <summary>The kind in words, for messages.</summary>
    public string Description => Kind switch
    {
        WeightsKind.DetrSharpCheckpoint => $"a DetrSharp {Model} checkpoint",
        WeightsKind.Ultralytics => $"an ultralytics {Model ?? "YOLO"} checkpoint",
        WeightsKind.TorchvisionResNet => "a torchvision ResNet state dict",
        _ => "a PyTorch state dict",
    };

    /// <summary>Reads and identifies a weights file.</summary>
    /// <exception cref="FileNotFoundException">no such file</exception>
    /// <exception cref="InvalidDataException">the file is not a PyTorch/DetrSharp checkpoint or holds no state dict</exception>
    public static WeightsFile Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file not found: {path} (--weights, model.init_from)", path);
        object? root;
        try { root = torch.load(path); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: not a weights file (a DetrSharp, PyTorch or ultralytics checkpoint): {e.Message}", e);
        }
        try
        {
            if (root is PickleObject || root is PickleDict d && (Entry(d, "ema") is PickleObject || Entry(d, "model") is PickleObject))
            {
                var ck = UltralyticsCheckpoint.FromObject(root, path);
                CheckpointTree.DisposeTensors(root);
                return new WeightsFile(path, WeightsKind.Ultralytics, ck.ModelName, ck.StateDict, ck.Dispose);
            }
            void Free() => CheckpointTree.DisposeTensors(root);
            if (root is PickleDict top && Entry(top, "config") is string config && top.ContainsKey("model"))
                return new WeightsFile(path, WeightsKind.DetrSharpCheckpoint, FamilyOf(config),
                    ModuleCheckpointExtensions.StateDictOf(root, path, "model"), Free);
            var sd = ModuleCheckpointExtensions.StateDictOf(root, path);
            bool resnet = sd.ContainsKey("conv1.weight") && sd.Keys.Any(k => k.StartsWith("layer1.", StringComparison.Ordinal))
                && !sd.Keys.Any(k => k.StartsWith("backbone.", StringComparison.Ordinal));
            return new WeightsFile(path, resnet ? WeightsKind.TorchvisionResNet : WeightsKind.StateDict, null, sd, Free);
        }
        catch (Exception e) when (e is InvalidDataException or KeyNotFoundException)
        {
            CheckpointTree.DisposeTensors(root);
            throw new InvalidDataException($"{path}: not a weights file: {e.Message}", e);
        }
        catch
        {
            CheckpointTree.DisposeTensors(root);
            throw;
        }
    }

    static object? Entry(PickleDict d, string key) => d.TryGetValue(key, out var v) ? v : null;

    // the run config's model.name; checkpoints of the flat layout (before sections) were all DETR
    static string FamilyOf(string config)
    {
        try { return JsonNode.Parse(config)?["model"]?["name"]?.GetValue<string>() ?? "detr"; }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException) { return "detr"; }
    }

    public void Dispose() => _dispose();
}
