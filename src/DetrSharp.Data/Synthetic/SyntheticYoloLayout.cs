using System.Text.Json.Nodes;
using DetrSharp.Data.Coco;
using DetrSharp.Data.Yolo;
using DetrSharp.Torch.IO;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DetrSharp.Data.Synthetic;

/// <summary>
/// The synthetic set in the YOLO layout: the same images as the COCO form (same seed, same file names), labels with
/// class = category id - 1, and a data.yaml written last (an interrupted run is redone) that records the generator's
/// settings of each split, so that an existing folder is recognised as this dataset or as another one.
/// <code>
/// ROOT/data.yaml   ROOT/images/train/000001.png ...   ROOT/labels/train/000001.txt ...   (and val)
/// </code>
/// </summary>
public static class SyntheticYoloLayout
{
    /// <summary>The dataset file.</summary>
    public static string DataYaml(string root) => Path.Combine(root, "data.yaml");

    /// <summary>The folder holding a split's images.</summary>
    public static string ImageDirectory(string root, string split) => Path.Combine(root, "images", split);

    /// <summary>The folder holding a split's label files.</summary>
    public static string LabelDirectory(string root, string split) => Path.Combine(root, "labels", split);

    static string InfoKey(string split) => $"detrsharp_synthetic_{split}";

    internal static void Write(string root, IReadOnlyDictionary<string, CocoInstances> splits, SyntheticShapesOptions options)
    {
        foreach (var split in SyntheticShapes.Splits) YoloWriter.WriteLabels(splits[split], LabelDirectory(root, split));
        var info = SyntheticShapes.Splits.Select(split => new KeyValuePair<string, string>(InfoKey(split),
            SyntheticShapes.Info(split, split == "train" ? options.TrainImages : options.ValImages, options).ToJsonString()));
        AtomicFile.WriteAllText(DataYaml(root), YoloWriter.DataYaml(SyntheticShapes.Categories(options.Classes).Select(c => c.Name).ToList(), "images/train", "images/val",
            "DetrSharp synthetic shapes in the YOLO layout (detrsharp synth --format yolo)", info));
    }

    internal static SyntheticShapes.Inspection Inspect(string root, SyntheticShapesOptions options)
    {
        var file = DataYaml(root);
        if (!File.Exists(file)) return new(false, null, null);
        Dictionary<string, string?> extra;
        try { extra = ReadInfo(file); }
        catch (Exception e) when (e is YamlException or InvalidCastException or IOException or ArgumentException)
        {
            return new(false, $"an unreadable data.yaml '{file}'", null);
        }
        int trainObjects = 0, valObjects = 0;
        bool complete = true;
        foreach (var split in SyntheticShapes.Splits)
        {
            JsonNode? info;
            try { info = extra.GetValueOrDefault(InfoKey(split)) is { } json ? JsonNode.Parse(json) : null; }
            catch (System.Text.Json.JsonException) { info = null; }
            if (info?["generator"]?.ToString() != SyntheticShapes.Generator)
                return new(false, $"a data.yaml not written by the synthetic generator ('{file}')", null);
            int wanted = split == "train" ? options.TrainImages : options.ValImages;
            var expected = SyntheticShapes.Info(split, wanted, options);
            var differing = expected.Where(kv => !JsonNode.DeepEquals(kv.Value, info[kv.Key])).Select(kv => kv.Key).ToList();
            if (differing.Count > 0)
            {
                var settings = string.Join(", ", differing.Select(k => $"{k} {info[k]?.ToJsonString() ?? "missing"} (asked {expected[k]!.ToJsonString()})"));
                return new(false, $"a synthetic dataset made with other settings: {settings}", null);
            }
            var images = Directory.Exists(ImageDirectory(root, split)) ? Directory.GetFiles(ImageDirectory(root, split), "*.png") : [];
            var labels = images.Select(p => Path.Combine(LabelDirectory(root, split), Path.ChangeExtension(Path.GetFileName(p), ".txt"))).ToList();
            if (images.Length != wanted || !labels.All(File.Exists)) { complete = false; continue; }
            int objects = labels.Sum(l => File.ReadLines(l).Count(line => line.Trim().Length > 0));
            if (split == "train") trainObjects = objects; else valObjects = objects;
        }
        return complete
            ? new(true, null, new SyntheticShapesResult(root, false, options.TrainImages, options.ValImages, trainObjects, valObjects))
            : new(false, null, null);
    }

    // the top-level scalar keys of the file (the generator's settings are among them)
    static Dictionary<string, string?> ReadInfo(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file)) stream.Load(reader);
        var map = (YamlMappingNode)stream.Documents[0].RootNode;
        return map.Children
            .Where(kv => kv.Key is YamlScalarNode && kv.Value is YamlScalarNode)
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!,
                          kv => ((YamlScalarNode)kv.Value).Value);
    }
}
