using System.Text.Json;
using System.Text.Json.Nodes;
using DetrSharp.Detection.Configuration;
using DetrSharp.Detection.Families;

namespace DetrSharp.Training;

/// <summary>
/// Everything a run needs, in six sections each defined once with its defaults and validation: <c>model</c> (the
/// family's own record, selected by <c>model.name</c>), <c>data</c>, <c>optim</c>, <c>schedule</c>, <c>eval</c> and
/// <c>runtime</c>. Read from JSON (snake_case keys), overridden by <c>--set section.key=value</c> and the flags,
/// written to the run folder's config.json and into every checkpoint; configs written before the sections existed
/// (flat keys) are read through <see cref="LegacyConfig"/>.
/// </summary>
public sealed record RunConfig
{
    public static readonly string[] Sections = ["model", "data", "optim", "schedule", "eval", "runtime"];

    public ModelConfig Model { get; init; } = DetectorRegistry.Default.Defaults;
    public DataConfig Data { get; init; } = new();
    public OptimConfig Optim { get; init; } = new();
    public ScheduleConfig Schedule { get; init; } = new();
    public EvalConfig Eval { get; init; } = new();
    public RuntimeConfig Runtime { get; init; } = new();

    /// <summary>The defaults of a run of the named family.</summary>
    public static RunConfig ForModel(string name) => new RunConfig().With([("model.name", name)]);

    /// <summary>Checks every section; returns this for chaining.</summary>
    public RunConfig Validate()
    {
        Model.Validate();
        ParameterFreeze.Parse(Model.Freeze);
        Data.Validate();
        Optim.Validate();
        Schedule.Validate();
        Eval.Validate();
        Runtime.Validate();
        // the letterbox's placement is undone by the YOLO detectors only (DETR and DINO scale normalised boxes by the stored size)
        ConfigException.Check(Data.Augment != AugmentKind.Yolo || Model is DetrSharp.Detection.Yolo.YoloFamilyConfig,
            $"data.augment yolo is for the YOLO families (model.name yolov8 or yolov10); {Model.Name} takes data.augment detr");
        return this;
    }

    public JsonObject ToJsonNode() => new()
    {
        ["model"] = ModelNode(),
        ["data"] = JsonSerializer.SerializeToNode(Data, ConfigJson.Options),
        ["optim"] = JsonSerializer.SerializeToNode(Optim, ConfigJson.Options),
        ["schedule"] = JsonSerializer.SerializeToNode(Schedule, ConfigJson.Options),
        ["eval"] = JsonSerializer.SerializeToNode(Eval, ConfigJson.Options),
        ["runtime"] = JsonSerializer.SerializeToNode(Runtime, ConfigJson.Options),
    };

    // the family's record with "name" first
    JsonObject ModelNode()
    {
        var fields = JsonSerializer.SerializeToNode(Model, Model.GetType(), ConfigJson.Options)!.AsObject();
        var node = new JsonObject { ["name"] = Model.Name };
        foreach (var (k, v) in fields)
            if (k != "name") node[k] = v?.DeepClone();
        return node;
    }

    public string ToJson() => ToJsonNode().ToJsonString(ConfigJson.Options);

    /// <summary>Reads a config (sections, or the flat keys of older versions); missing keys take their defaults. Validated.</summary>
    public static RunConfig FromJson(string json)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new ConfigException($"not valid JSON: {e.Message}", e); }
        if (node is not JsonObject obj) throw new ConfigException("a config must be a JSON object with the sections " + string.Join(", ", Sections));
        return FromNode(LegacyConfig.IsFlat(obj) ? LegacyConfig.ToSections(obj) : obj);
    }

    /// <summary>Reads a config file; unknown keys and bad values are errors naming the file and the key.</summary>
    public static RunConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"config file not found: {path}", path);
        try { return FromJson(File.ReadAllText(path)); }
        catch (ConfigException e) { throw new ConfigException($"{path}: {e.Message}", e); }
    }

    static RunConfig FromNode(JsonObject root)
    {
        foreach (var (key, _) in root)
            if (!Sections.Contains(key))
                throw new ConfigException($"unknown section \"{key}\"; the sections are: {string.Join(", ", Sections)}");
        var modelNode = root["model"];
        string? name = modelNode is JsonObject m && m["name"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var family = name == null ? DetectorRegistry.Default : DetectorRegistry.Get(name);
        return new RunConfig
        {
            Model = (ModelConfig)ConfigJson.ReadSection(modelNode, family.ConfigType, "model", "name"),
            Data = (DataConfig)ConfigJson.ReadSection(root["data"], typeof(DataConfig), "data"),
            Optim = (OptimConfig)ConfigJson.ReadSection(root["optim"], typeof(OptimConfig), "optim"),
            Schedule = (ScheduleConfig)ConfigJson.ReadSection(root["schedule"], typeof(ScheduleConfig), "schedule"),
            Eval = (EvalConfig)ConfigJson.ReadSection(root["eval"], typeof(EvalConfig), "eval"),
            Runtime = (RuntimeConfig)ConfigJson.ReadSection(root["runtime"], typeof(RuntimeConfig), "runtime"),
        }.Validate();
    }

    /// <summary>
    /// This config with <c>section.key=value</c> overrides applied (values parse as JSON, else as strings). Setting
    /// <c>model.name</c> switches to that family's defaults first; its other model keys then apply on top.
    /// </summary>
    public RunConfig With(IEnumerable<(string key, string value)> overrides)
    {
        var list = overrides.Select(o => (key: o.key.Trim().Replace('-', '_'), o.value)).ToList();
        var root = ToJsonNode();
        // naming the family the config already has keeps its model settings (a resumed run's --model detr changes nothing)
        foreach (var (key, value) in list.Where(o => o.key == "model.name"))
        {
            // another family: its model defaults, then its recipe for the other sections
            var family = DetectorRegistry.Get(value.Trim().Trim('"'));
            if (family.Name == Model.Name) continue;
            root["model"] = new RunConfig { Model = family.Defaults }.ModelNode();
            foreach (var (k, v) in family.RunDefaults)
                root[k[..k.IndexOf('.')]]![k[(k.IndexOf('.') + 1)..]] = JsonNode.Parse(v);
        }
        foreach (var (key, value) in list.Where(o => o.key != "model.name"))
        {
            int dot = key.IndexOf('.');
            if (dot <= 0)
                throw new ConfigException($"unknown key \"{key}\": settings are named section.key{Suggest(root, key)}");
            var section = key[..dot];
            var name = key[(dot + 1)..];
            if (root[section] is not JsonObject obj)
                throw new ConfigException($"unknown section \"{section}\" in \"{key}\"; the sections are: {string.Join(", ", Sections)}");
            if (!obj.ContainsKey(name))
                throw new ConfigException($"unknown key {key}{Suggest(root, name)}; the keys of {section} are: {string.Join(", ", obj.Select(kv => kv.Key))}");
            JsonNode? parsed;
            try { parsed = JsonNode.Parse(value); }
            catch (JsonException) { parsed = JsonValue.Create(value); }
            obj[name] = parsed;
        }
        return FromNode(root);
    }

    static string Suggest(JsonObject root, string key)
    {
        var hits = root.Where(s => s.Value is JsonObject o && o.ContainsKey(key)).Select(s => $"{s.Key}.{key}").ToList();
        return hits.Count > 0 ? $" (did you mean {string.Join(" or ", hits)}?)" : "";
    }
}
