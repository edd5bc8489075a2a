using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Tests.Yolo;

/// <summary>A temporary YOLO dataset: real PNG images under images/{split}, label text under labels/{split}, a data.yaml.</summary>
internal sealed class YoloFolder : IDisposable
{
    readonly Support.TempDir dir = new();

    public string Root => dir.Path;

    public string Yaml => Path.Combine(Root, "data.yaml");

    public YoloFolder(string yaml = "train: images/train\nval: images/val\nnames: [cat, dog, bird]\n") => WriteYaml(yaml);

    public void WriteYaml(string text) => File.WriteAllText(Yaml, text);

    /// <summary>Writes images/{split}/{name} (a PNG of the given size) and, unless <paramref name="labels"/> is null, its label file.</summary>
    public string Image(string split, string name, string? labels, int width = 40, int height = 30)
    {
        var path = Path.Combine(Root, "images", split, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, ImageCodec.EncodePng(new RgbImage(width, height)));
        if (labels != null) File.WriteAllText(LabelOf(split, name), labels);
        return path;
    }

    public string LabelOf(string split, string name)
    {
        var path = Path.Combine(Root, "labels", split, Path.ChangeExtension(name, ".txt"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    public void Dispose() => dir.Dispose();
}
