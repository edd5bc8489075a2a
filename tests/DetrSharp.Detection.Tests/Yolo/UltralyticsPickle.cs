using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>
/// Writes checkpoints laid out as ultralytics saves them, for the loader's tests: the model object tree
/// (ultralytics.nn.tasks.DetectionModel over ultralytics.nn.modules.* and torch.nn.* classes), each module's
/// __dict__ with _parameters (torch._utils._rebuild_parameter), _buffers and _modules, the model's yaml,
/// names and nc, inside {'epoch', 'model', 'ema', ...}. Built from a YoloModel's own tensors.
/// </summary>
internal static class UltralyticsPickle
{
    static readonly Dictionary<string, string> ClassModule = new()
    {
        ["Conv"] = "ultralytics.nn.modules.conv", ["Concat"] = "ultralytics.nn.modules.conv",
        ["Bottleneck"] = "ultralytics.nn.modules.block", ["C2f"] = "ultralytics.nn.modules.block", ["SPPF"] = "ultralytics.nn.modules.block",
        ["DFL"] = "ultralytics.nn.modules.block", ["SCDown"] = "ultralytics.nn.modules.block", ["RepVGGDW"] = "ultralytics.nn.modules.block",
        ["CIB"] = "ultralytics.nn.modules.block", ["C2fCIB"] = "ultralytics.nn.modules.block", ["Attention"] = "ultralytics.nn.modules.block",
        ["PSA"] = "ultralytics.nn.modules.block", ["Detect"] = "ultralytics.nn.modules.head", ["v10Detect"] = "ultralytics.nn.modules.head",
        ["Conv2d"] = "torch.nn.modules.conv", ["BatchNorm2d"] = "torch.nn.modules.batchnorm", ["SiLU"] = "torch.nn.modules.activation",
        ["Identity"] = "torch.nn.modules.linear", ["Sequential"] = "torch.nn.modules.container", ["ModuleList"] = "torch.nn.modules.container",
        ["MaxPool2d"] = "torch.nn.modules.pooling", ["Upsample"] = "torch.nn.modules.upsampling",
    };

    /// <summary>The checkpoint dict; the model object goes under "ema" (half precision, as training saves it) or "model".</summary>
    public static PickleDict Checkpoint(YoloModel model, string yamlFile, string scale, IReadOnlyList<string> names, bool asEma)
    {
        var obj = ModelObject(model, yamlFile, scale, names, half: asEma);
        var ckpt = new PickleDict();
        ckpt["epoch"] = -1L;
        ckpt["best_fitness"] = null;
        ckpt["model"] = asEma ? null : obj;
        ckpt["ema"] = asEma ? obj : null;
        ckpt["updates"] = 0L;
        ckpt["optimizer"] = null;
        ckpt["date"] = "2024-05-01T00:00:00";
        ckpt["version"] = "8.1.34";
        return ckpt;
    }

    static PickleObject ModelObject(YoloModel model, string yamlFile, string scale, IReadOnlyList<string> names, bool half)
    {
        var yaml = new PickleDict();
        yaml["nc"] = model.NumClasses;
        yaml["scale"] = scale;
        yaml["yaml_file"] = yamlFile;
        yaml["ch"] = 3L;
        var namesDict = new PickleDict();
        for (int i = 0; i < names.Count; i++) namesDict[(long)i] = names[i];
        var root = Module(model, "ultralytics.nn.tasks", "DetectionModel", half);
        var state = (PickleDict)root.State!;
        state["yaml"] = yaml;
        state["save"] = new List<object?> { 4L, 6L };
        state["names"] = namesDict;
        state["inplace"] = true;
        state["nc"] = model.NumClasses;
        return root;
    }

    static PickleObject Module(nn.Module m, string? module = null, string? name = null, bool half = false)
    {
        name ??= m.GetName;
        module ??= ClassModule.TryGetValue(name, out var mod) ? mod : throw new InvalidOperationException($"no ultralytics class for {name}");
        var parameters = new PickleDict(ordered: true);
        foreach (var (n, p) in m.named_parameters(recurse: false))
        {
            var t = half ? p.detach().to(ScalarType.Float16) : p.detach();
            parameters[n] = new PickleObject("torch._utils", "_rebuild_parameter", new object?[] { t, p.requires_grad, new PickleDict(ordered: true) });
        }
        var buffers = new PickleDict(ordered: true);
        foreach (var (n, b) in m.named_buffers(recurse: false))
            buffers[n] = half && b.is_floating_point() ? b.to(ScalarType.Float16) : b.detach();
        var children = new PickleDict(ordered: true);
        foreach (var (n, c) in m.named_children()) children[n] = Module(c, half: half);
        var state = new PickleDict();
        state["training"] = false;
        state["_parameters"] = parameters;
        state["_buffers"] = buffers;
        state["_non_persistent_buffers_set"] = new PickleSet();
        state["_modules"] = children;
        if (m is Detect d) { state["nc"] = d.Nc; state["reg_max"] = d.RegMax; state["stride"] = torch.tensor(d.Stride.Select(s => (float)s).ToArray(), new long[] { d.Stride.Length }); }
        if (m is DetrSharp.Torch.Modules.Conv2d) { state["in_channels"] = 1L; state["padding_mode"] = "zeros"; }
        return new PickleObject(module, name, Array.Empty<object?>(), state);
    }
}
