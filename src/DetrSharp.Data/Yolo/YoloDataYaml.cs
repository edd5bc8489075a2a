using System.Globalization;
using DetrSharp.Data.Coco;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DetrSharp.Data.Yolo;

/// <summary>
/// An ultralytics dataset file (data.yaml): the dataset root (<c>path</c>), the image sources of each split
/// (<c>train</c>, <c>val</c>, <c>test</c>: a folder, a .txt list of image paths, or a list of those) and the class names
/// (<c>names</c> as a list or an {index: name} map, and/or <c>nc</c>). Other keys (download, ...) are ignored.
/// </summary>
/// <remarks>
/// Paths resolve as ultralytics' check_det_dataset resolves them, except that a relative <c>path</c> is taken from the
/// YAML's folder first (then from the current folder): no <c>path</c> means the YAML's folder; a split source is
/// relative to the root, and one starting "../" that does not exist there is tried without it (the Roboflow layout).
/// </remarks>
public sealed class YoloDataYaml
{
    static readonly string[] SplitKeys = ["train", "val", "test"];

    /// <summary>The YAML file, as given.</summary>
    public required string File { get; init; }
    /// <summary>The dataset root the split sources are relative to.</summary>
    public required string Root { get; init; }
    /// <summary>Class names; class index i of a label line is <c>Names[i]</c>.</summary>
    public required IReadOnlyList<string> Names { get; init; }
    /// <summary>The resolved image sources of each split the file names.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Splits { get; init; }

    string Where => $"YOLO dataset '{File}'";

    /// <summary>The image sources (folders or .txt lists, full paths) of a split.</summary>
    /// <exception cref="DatasetException">The file gives no such split.</exception>
    public IReadOnlyList<string> SourcesOf(string split) => Splits.TryGetValue(split, out var s)
        ? s
        : throw new DatasetException($"{Where}: no '{split}' key (the image folder or .txt list of the {split} split)", File);

    /// <summary>Reads and checks a data.yaml.</summary>
    /// <exception cref="DatasetException">Unreadable, not YAML, or a key holds a wrong value; the message names the file, key and line.</exception>
    public static YoloDataYaml Read(string file)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        string text;
        try { text = System.IO.File.ReadAllText(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"YOLO dataset '{file}': cannot read the file: {e.Message}", file, inner: e);
        }
        return Parse(text, file);
    }

    /// <summary>Parses data.yaml text; <paramref name="file"/> names it in messages and anchors relative paths.</summary>
    public static YoloDataYaml Parse(string text, string file)
    {
        string where = $"YOLO dataset '{file}'";
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(text);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new DatasetException($"{where}: malformed YAML at line {e.Start.Line}: {e.Message}", file, inner: e);
        }
        catch (InvalidOperationException e) // YamlDotNet's scanner on some unterminated flow lists
        {
            throw new DatasetException($"{where}: malformed YAML (an unclosed [ or {{?): {e.Message}", file, inner: e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
            throw new DatasetException($"{where}: the file is not a YAML mapping of keys (path, train, val, names)", file);

        var keys = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
            if (k is YamlScalarNode { Value: { } name }) keys[name] = v;

        var root = ResolveRoot(file, keys.TryGetValue("path", out var p) ? Scalar(p, "path", where) : null);
        var splits = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var split in SplitKeys)
        {
            if (!keys.TryGetValue(split, out var node) || IsNull(node)) continue;
            var sources = node switch
            {
                YamlSequenceNode seq => seq.Children.Select(n => Scalar(n, split, where) ?? "").ToList(),
                _ => [Scalar(node, split, where) ?? ""],
            };
            if (sources.Count == 0 || sources.Any(s => s.Length == 0))
                throw new DatasetException($"{where}: '{split}' (line {node.Start.Line}) must name an image folder or .txt list, or a list of them", file);
            splits[split] = sources.Select(s => ResolveSource(root, s)).ToList();
        }
        return new YoloDataYaml { File = file, Root = root, Names = ReadNames(keys, where, file), Splits = splits };
    }

    static string ResolveRoot(string file, string? path)
    {
        string yamlFolder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        if (string.IsNullOrWhiteSpace(path)) return yamlFolder;
        if (Path.IsPathRooted(path)) return Path.GetFullPath(path);
        var fromYaml = Path.GetFullPath(Path.Combine(yamlFolder, path));
        if (Directory.Exists(fromYaml)) return fromYaml;
        var fromCwd = Path.GetFullPath(path);
        return Directory.Exists(fromCwd) ? fromCwd : fromYaml;
    }

    static string ResolveSource(string root, string source)
    {
        var full = Path.GetFullPath(Path.Combine(root, source));
        if (!Path.Exists(full) && source.StartsWith("../", StringComparison.Ordinal))
        {
            var inside = Path.GetFullPath(Path.Combine(root, source[3..]));
            if (Path.Exists(inside)) return inside;
        }
        return full;
    }

    static List<string> ReadNames(Dictionary<string, YamlNode> keys, string where, string file)
    {
        int? nc = null;
        if (keys.TryGetValue("nc", out var ncNode) && !IsNull(ncNode))
        {
            var s = Scalar(ncNode, "nc", where);
            if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1)
                throw new DatasetException($"{where}: 'nc' (line {ncNode.Start.Line}) must be a positive whole number of classes, got '{s}'", file);
            nc = n;
        }
        List<string>? names = null;
        if (keys.TryGetValue("names", out var node) && !IsNull(node))
        {
            names = node switch
            {
                YamlSequenceNode seq => seq.Children.Select(c => Scalar(c, "names", where) ?? "").ToList(),
                YamlMappingNode m => NamesFromMap(m, where, file),
                _ => throw new DatasetException($"{where}: 'names' (line {node.Start.Line}) must be a list of class names or a map from class index to name", file),
            };
            if (names.Count == 0) throw new DatasetException($"{where}: 'names' (line {node.Start.Line}) is empty", file);
            if (names.FindIndex(n => n.Trim().Length == 0) is int blank and >= 0)
                throw new DatasetException($"{where}: 'names' (line {node.Start.Line}) gives class {blank} no name", file);
            if (nc is int n && n != names.Count)
                throw new DatasetException($"{where}: 'names' has {names.Count} classes but 'nc' says {n}; they must agree", file);
        }
        if (names is null && nc is null)
            throw new DatasetException($"{where}: no 'names' and no 'nc': the file must give the class names, or at least their number", file);
        // as ultralytics: nc alone names the classes class_0, class_1, ...
        return names ?? Enumerable.Range(0, nc!.Value).Select(i => $"class_{i}").ToList();
    }

    static List<string> NamesFromMap(YamlMappingNode map, string where, string file)
    {
        var byIndex = new SortedDictionary<int, string>();
        foreach (var (k, v) in map.Children)
        {
            var key = Scalar(k, "names", where);
            if (!int.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) || i < 0)
                throw new DatasetException($"{where}: 'names' key '{key}' (line {k.Start.Line}) is not a class index (0, 1, ...)", file);
            if (!byIndex.TryAdd(i, Scalar(v, "names", where) ?? ""))
                throw new DatasetException($"{where}: 'names' gives class {i} twice (line {k.Start.Line})", file);
        }
        var missing = Enumerable.Range(0, byIndex.Count).Where(i => !byIndex.ContainsKey(i)).ToList();
        if (missing.Count > 0)
            throw new DatasetException($"{where}: 'names' must give classes 0-{byIndex.Count - 1} with no gap; " +
                                       $"class {missing[0]} is missing (the keys are {string.Join(", ", byIndex.Keys)})", file);
        return byIndex.Values.ToList();
    }

    static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null" or "Null" or "NULL", Style: ScalarStyle.Plain };

    static string? Scalar(YamlNode node, string key, string where) => node switch
    {
        YamlScalarNode s => IsNull(s) ? null : s.Value,
        _ => throw new DatasetException($"{where}: '{key}' (line {node.Start.Line}) must be a single value, not a {(node is YamlSequenceNode ? "list" : "map")}"),
    };
}
