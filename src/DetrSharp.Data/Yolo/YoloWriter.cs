using System.Text;
using DetrSharp.Data.Coco;
using DetrSharp.Torch.IO;

namespace DetrSharp.Data.Yolo;

/// <summary>
/// Writes the YOLO layout: label files from COCO records (class = the category's label, <see cref="CocoCategories"/>;
/// pixel [x, y, w, h] to normalised centre and size) and the data.yaml naming the splits and classes.
/// </summary>
public static class YoloWriter
{
    /// <summary>
    /// Writes one label file per image of <paramref name="instances"/> into <paramref name="labelDirectory"/>, named
    /// after the image file (an empty file for an image without objects), atomically.
    /// </summary>
    public static void WriteLabels(CocoInstances instances, string labelDirectory)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var categories = new CocoCategories((instances.Categories ?? []).Select(c => ((int)c.Id!.Value, c.Name ?? "", c.Supercategory)));
        var perImage = (instances.Annotations ?? []).Where(a => a.IsCrowd != 1).ToLookup(a => a.ImageId);
        Directory.CreateDirectory(labelDirectory);
        foreach (var image in instances.Images ?? [])
        {
            var text = new StringBuilder();
            foreach (var a in perImage[image.Id])
            {
                double w = image.Width!.Value, h = image.Height!.Value;
                var b = a.Bbox!;
                var label = new YoloLabel(categories.LabelOf((int)a.CategoryId!.Value), (b[0] + b[2] / 2) / w, (b[1] + b[3] / 2) / h, b[2] / w, b[3] / h);
                text.Append(YoloLabelFile.Format(label)).Append('\n');
            }
            var name = Path.ChangeExtension(image.FileName!, ".txt");
            var path = Path.Combine(labelDirectory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, text.ToString());
        }
    }

    /// <summary>
    /// data.yaml text: <c>path: .</c> (the file's folder), the split sources, <c>nc</c> and <c>names</c> as an
    /// index map; <paramref name="extra"/> adds further keys, written as quoted strings.
    /// </summary>
    public static string DataYaml(IReadOnlyList<string> names, string train, string val, string? comment = null,
        IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        var s = new StringBuilder();
        if (comment != null) s.Append("# ").Append(comment).Append('\n');
        s.Append("path: .\n");
        s.Append("train: ").Append(Quote(train)).Append('\n');
        s.Append("val: ").Append(Quote(val)).Append('\n');
        s.Append("nc: ").Append(names.Count).Append('\n');
        s.Append("names:\n");
        for (int i = 0; i < names.Count; i++) s.Append("  ").Append(i).Append(": ").Append(Quote(names[i])).Append('\n');
        foreach (var (key, value) in extra ?? []) s.Append(key).Append(": ").Append(Quote(value)).Append('\n');
        return s.ToString();
    }

    // single-quoted YAML scalar: any text, a quote doubled
    static string Quote(string value) => "'" + value.Replace("'", "''") + "'";
}
