using System.Globalization;
using System.Reflection;
using YamlDotNet.RepresentationModel;

namespace DetrSharp.Detection.Yolo;

/// <summary>One row of a model YAML: [from, repeats, module, args].</summary>
public sealed record YoloLayerSpec(int[] From, int Repeats, string Module, IReadOnlyList<object?> Args)
{
    /// <summary>True when the row gives a single source index (ultralytics' int f).</summary>
    public bool SingleSource { get; init; } = true;
}

/// <summary>
/// An ultralytics model definition (yolov8.yaml, yolov10n.yaml, ...): nc, the scale (depth, width,
/// max_channels) and the backbone + head rows, read with YamlDotNet. Arguments are typed as
/// yaml.safe_load + ast.literal_eval give them: integers, floats, booleans, None, strings.
/// </summary>
public sealed class YoloConfig
{
    const string ResourcePrefix = "DetrSharp.Detection.Yolo.Configs.";

    public required long Nc { get; init; }
    /// <summary>Scale letter in use (n, s, m, b, l, x), or null when the YAML has no scales.</summary>
    public string? Scale { get; init; }
    public required double Depth { get; init; }
    public required double Width { get; init; }
    public required double MaxChannels { get; init; }
    /// <summary>Backbone rows then head rows, as parse_model iterates them.</summary>
    public required IReadOnlyList<YoloLayerSpec> Layers { get; init; }
    /// <summary>How many of <see cref="Layers"/> are the YAML's backbone rows (model.0 .. model.{n-1}).</summary>
    public int BackboneLayers { get; init; }
    /// <summary>The YAML text the config was read from.</summary>
    public required string Yaml { get; init; }

    /// <summary>Names of the definitions shipped with the project: yolov8n..x, yolov10n/s/m/b/l/x.</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = new[]
    {
        "yolov8n", "yolov8s", "yolov8m", "yolov8l", "yolov8x",
        "yolov10n", "yolov10s", "yolov10m", "yolov10b", "yolov10l", "yolov10x",
    };

    /// <summary>
    /// A shipped definition by model name: "yolov8s" is yolov8.yaml at scale s (ultralytics'
    /// guess_model_scale); "yolov10s" is yolov10s.yaml.
    /// </summary>
    public static YoloConfig BuiltIn(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        if (key.EndsWith(".yaml", StringComparison.Ordinal)) key = key[..^5];
        var asm = typeof(YoloConfig).Assembly;
        if (ReadResource(asm, key) is { } exact) return Parse(exact, scale: null);
        if (key.Length > 1 && ReadResource(asm, key[..^1]) is { } unified) return Parse(unified, key[^1..]);
        throw new ArgumentException($"unknown YOLO model '{name}': expected one of {string.Join(", ", BuiltInNames)} or a YAML file", nameof(name));
    }

    /// <summary>A definition from a YAML file; the scale letter picks a row of its scales (the first when null).</summary>
    public static YoloConfig FromFile(string path, string? scale = null) => Parse(File.ReadAllText(path), scale);

    static string? ReadResource(Assembly asm, string stem)
    {
        using var s = asm.GetManifestResourceStream(ResourcePrefix + stem + ".yaml");
        if (s == null) return null;
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    /// <summary>Parses YAML text; <paramref name="scale"/> selects the scale (the YAML's first when null).</summary>
    public static YoloConfig Parse(string yaml, string? scale = null)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml)) stream.Load(reader);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new FormatException("YOLO model YAML: the document is not a mapping");
        if (root.Children.ContainsKey(new YamlScalarNode("activation")))
            throw new NotSupportedException("YOLO model YAML: a custom 'activation' is not supported (Conv uses SiLU)");
        long nc = root.Children.TryGetValue(new YamlScalarNode("nc"), out var ncNode) ? ToLong(ncNode, "nc") : 0;
        double depth = Number(root, "depth_multiple") ?? 1.0, width = Number(root, "width_multiple") ?? 1.0;
        double maxCh = double.PositiveInfinity;
        string? used = null;
        if (root.Children.TryGetValue(new YamlScalarNode("scales"), out var scalesNode) && scalesNode is YamlMappingNode scales && scales.Children.Count > 0)
        {
            var entry = scale == null ? scales.Children.First()
                : scales.Children.FirstOrDefault(kv => ((YamlScalarNode)kv.Key).Value == scale);
            if (entry.Key == null)
                throw new ArgumentException($"YOLO model YAML has no scale '{scale}' (it has {string.Join(", ", scales.Children.Select(kv => ((YamlScalarNode)kv.Key).Value))})", nameof(scale));
            used = ((YamlScalarNode)entry.Key).Value;
            var v = (YamlSequenceNode)entry.Value;
            depth = ToDouble(v[0], "scales"); width = ToDouble(v[1], "scales"); maxCh = ToDouble(v[2], "scales");
        }
        var layers = new List<YoloLayerSpec>();
        int backboneLayers = 0;
        foreach (var section in new[] { "backbone", "head" })
        {
            if (!root.Children.TryGetValue(new YamlScalarNode(section), out var rows) || rows is not YamlSequenceNode seq)
                throw new FormatException($"YOLO model YAML: missing '{section}' list");
            foreach (var row in seq) layers.Add(Row(row, layers.Count));
            if (section == "backbone") backboneLayers = layers.Count;
        }
        return new YoloConfig
        {
            Nc = nc, Scale = used, Depth = depth, Width = width, MaxChannels = maxCh, Layers = layers, BackboneLayers = backboneLayers, Yaml = yaml,
        };
    }

    static YoloLayerSpec Row(YamlNode node, int index)
    {
        if (node is not YamlSequenceNode r || r.Children.Count != 4)
            throw new FormatException($"YOLO model YAML: layer {index} must be [from, repeats, module, args]");
        bool single = r[0] is YamlScalarNode;
        int[] from = single ? new[] { (int)ToLong(r[0], $"layer {index} from") }
            : ((YamlSequenceNode)r[0]).Select(n => (int)ToLong(n, $"layer {index} from")).ToArray();
        var args = r[3] is YamlSequenceNode a ? a.Select(Arg).ToList() : new List<object?>();
        return new YoloLayerSpec(from, (int)ToLong(r[1], $"layer {index} repeats"), ((YamlScalarNode)r[2]).Value!, args) { SingleSource = single };
    }

    /// <summary>A scalar argument typed as Python would see it after safe_load and literal_eval.</summary>
    static object? Arg(YamlNode n)
    {
        if (n is YamlSequenceNode s) return s.Select(Arg).ToList();
        var sc = (YamlScalarNode)n;
        var v = sc.Value ?? "";
        if (sc.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted) return v;
        if (v is "True" or "true") return true;
        if (v is "False" or "false") return false;
        if (v is "None" or "null" or "~" or "") return null;
        if (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return l;
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        return v;
    }

    static double? Number(YamlMappingNode root, string key)
        => root.Children.TryGetValue(new YamlScalarNode(key), out var n) ? ToDouble(n, key) : null;

    static long ToLong(YamlNode n, string what)
        => n is YamlScalarNode s && long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v : throw new FormatException($"YOLO model YAML: {what} must be an integer, got '{n}'");

    static double ToDouble(YamlNode n, string what)
        => n is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v : throw new FormatException($"YOLO model YAML: {what} must be a number, got '{n}'");
}
