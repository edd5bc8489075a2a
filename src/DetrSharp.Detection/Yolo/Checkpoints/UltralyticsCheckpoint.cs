using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// An ultralytics <c>.pt</c> file (yolov8n.pt, a training run's best.pt): a dict whose <c>ema</c> or
/// <c>model</c> entry pickles the whole DetectionModel object. The project's unpickler reads every class
/// (ultralytics.nn.tasks.DetectionModel, ultralytics.nn.modules.*, torch.nn.*) as an inert
/// <see cref="PickleObject"/> holding the object's <c>__dict__</c>; no code runs. The module tree
/// (<c>_parameters</c>, <c>_buffers</c>, <c>_modules</c>) is walked to a state dict with ultralytics' key
/// names (<c>model.0.conv.weight</c>), half-precision tensors made float32 as ultralytics' <c>.float()</c> does.
/// </summary>
public sealed class UltralyticsCheckpoint : IDisposable
{
    UltralyticsCheckpoint(OrderedDictionary<string, Tensor> stateDict, IReadOnlyDictionary<long, string> names, long nc,
        PickleDict? yaml, string? className, string entry)
    {
        StateDict = stateDict;
        Names = names;
        Nc = nc;
        Yaml = yaml;
        ClassName = className;
        Entry = entry;
    }

    /// <summary>Parameters and persistent buffers by ultralytics' key names, float tensors as float32. Owned by this object.</summary>
    public OrderedDictionary<string, Tensor> StateDict { get; }
    /// <summary>Class names by index (model.names); "0", "1", ... when the file has none.</summary>
    public IReadOnlyDictionary<long, string> Names { get; }
    /// <summary>Number of classes: model.nc, else yaml nc, else the head's nc, else the number of names.</summary>
    public long Nc { get; }
    /// <summary>The model definition ultralytics keeps in model.yaml (nc, scales, backbone, head, scale, yaml_file), or null.</summary>
    public PickleDict? Yaml { get; }
    /// <summary>The pickled model's class, e.g. ultralytics.nn.tasks.DetectionModel.</summary>
    public string? ClassName { get; }
    /// <summary>Which entry the model came from: "ema" or "model" (or "" when the file is the model itself).</summary>
    public string Entry { get; }

    /// <summary>model.yaml's scale letter (n, s, m, l, x, b), or null.</summary>
    public string? Scale => Yaml != null && Yaml.TryGetValue("scale", out var s) ? s as string : null;

    /// <summary>model.yaml's yaml_file (e.g. yolov8n.yaml), or null.</summary>
    public string? YamlFile => Yaml != null && Yaml.TryGetValue("yaml_file", out var s) ? s as string : null;

    /// <summary>
    /// The shipped model name the checkpoint was built from (yolov8n, yolov10s, ...), from yaml_file and
    /// scale; null when neither names one.
    /// </summary>
    public string? ModelName
    {
        get
        {
            if (YamlFile is not { } file) return null;
            var stem = Path.GetFileNameWithoutExtension(file).ToLowerInvariant();
            foreach (var n in YoloConfig.BuiltInNames)
                if (n == stem) return n;
            var withScale = Scale is { } s ? stem + s : stem;
            return YoloConfig.BuiltInNames.Contains(withScale) ? withScale : null;
        }
    }

    /// <summary>Reads an ultralytics checkpoint file (see the class summary).</summary>
    public static UltralyticsCheckpoint Load(string path)
    {
        var root = torch.load(path);
        try
        {
            return FromObject(root, path);
        }
        finally
        {
            CheckpointTree.DisposeTensors(root);
        }
    }

    /// <summary>
    /// The checkpoint inside what torch.load returned: <c>ckpt['ema'] or ckpt['model']</c>, or the model object
    /// itself. The tensors are copied; the caller still owns <paramref name="root"/>.
    /// </summary>
    public static UltralyticsCheckpoint FromObject(object? root, string source = "checkpoint")
    {
        PickleObject model;
        string entry;
        if (root is PickleObject direct) { model = direct; entry = ""; }
        else if (root is PickleDict d)
        {
            if (d.TryGetValue("ema", out var ema) && ema is PickleObject e) { model = e; entry = "ema"; }
            else if (d.TryGetValue("model", out var m) && m is PickleObject mo) { model = mo; entry = "model"; }
            else throw new InvalidDataException($"{source}: not an ultralytics checkpoint: no model object under 'ema' or 'model' " +
                $"(top-level keys {string.Join(", ", d.Keys.Select(k => PickleFormat.Repr(k)))})");
        }
        else throw new InvalidDataException($"{source}: not an ultralytics checkpoint: it holds a {root?.GetType().Name ?? "None"}");

        var sd = new OrderedDictionary<string, Tensor>();
        try
        {
            ModuleTree.Collect(model, "", sd, source);
            if (sd.Count == 0) throw new InvalidDataException($"{source}: the '{entry}' model object holds no parameters");
            var yaml = model.GetAttribute("yaml") as PickleDict;
            var names = ReadNames(model.GetAttribute("names"));
            long nc = Number(model.GetAttribute("nc"))
                ?? (yaml != null && yaml.TryGetValue("nc", out var ync) ? Number(ync) : null)
                ?? HeadNc(model)
                ?? names.Count;
            if (names.Count == 0) names = Enumerable.Range(0, (int)nc).ToDictionary(i => (long)i, i => i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new UltralyticsCheckpoint(sd, names, nc, yaml, model.FullName, entry);
        }
        catch
        {
            foreach (var t in sd.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>Copies the weights into <paramref name="model"/> (strict by default: every key and shape must match).</summary>
    public LoadStateDictResult LoadInto(nn.Module model, bool strict = true) => model.load_state_dict(StateDict, strict);

    static Dictionary<long, string> ReadNames(object? value)
    {
        var names = new Dictionary<long, string>();
        switch (value)
        {
            case PickleDict d:
                foreach (var kv in d)
                    if (kv.Key is long i && kv.Value is string s) names[i] = s;
                break;
            case List<object?> l:
                for (int i = 0; i < l.Count; i++) if (l[i] is string s) names[i] = s;
                break;
            case object?[] t:
                for (int i = 0; i < t.Length; i++) if (t[i] is string s) names[i] = s;
                break;
        }
        return names;
    }

    static long? Number(object? v) => v is long l ? l : null;

    /// <summary>nc of the last layer of model.model (the Detect head's attribute).</summary>
    static long? HeadNc(PickleObject model)
    {
        if (ModuleTree.Children(model).LastOrDefault(c => c.Name == "model").Module is not { } seq) return null;
        var last = ModuleTree.Children(seq).LastOrDefault().Module;
        return last is null ? null : Number(last.GetAttribute("nc"));
    }

    public void Dispose()
    {
        foreach (var t in StateDict.Values) t.Dispose();
    }
}
