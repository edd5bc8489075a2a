using System.Text.Json;
using System.Text.Json.Nodes;
using DetrSharp.Data.Coco;
using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Tests.Support;

/// <summary>A temporary COCO folder built from JSON nodes: images/ plus annotations.json; image files are real PNGs.</summary>
internal sealed class CocoFolder : IDisposable
{
    readonly TempDir dir = new();

    public JsonArray Images { get; } = [];
    public JsonArray Annotations { get; } = [];
    public JsonArray Categories { get; } = [];

    public string ImageDir => Path.Combine(dir.Path, "images");
    public string AnnotationFile => Path.Combine(dir.Path, "annotations.json");

    public CocoFolder() => Directory.CreateDirectory(ImageDir);

    public CocoFolder Category(long id, string name)
    {
        Categories.Add(new JsonObject { ["id"] = id, ["name"] = name, ["supercategory"] = "thing" });
        return this;
    }

    /// <summary>Adds an image record and writes a matching PNG (unless <paramref name="writeFile"/> is false).</summary>
    public CocoFolder Image(long id, int width, int height, string? fileName = null, bool writeFile = true)
    {
        fileName ??= $"img{id}.png";
        Images.Add(new JsonObject { ["id"] = id, ["file_name"] = fileName, ["width"] = width, ["height"] = height });
        if (writeFile && width > 0 && height > 0)
            ImageCodec.WritePng(Path.Combine(ImageDir, fileName), Pixels.Pattern(width, height));
        return this;
    }

    public CocoFolder Annotation(long id, long imageId, long categoryId, double[] bbox, int? iscrowd = 0, double? area = null)
    {
        var a = new JsonObject
        {
            ["id"] = id,
            ["image_id"] = imageId,
            ["category_id"] = categoryId,
            ["bbox"] = new JsonArray(bbox.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
            ["segmentation"] = new JsonArray(new JsonArray(1, 2, 3, 4, 5, 6)),
        };
        if (iscrowd is int c) a["iscrowd"] = c;
        a["area"] = area ?? (bbox.Length == 4 ? bbox[2] * bbox[3] : 0);
        Annotations.Add(a);
        return this;
    }

    public string Write()
    {
        var root = new JsonObject
        {
            ["info"] = new JsonObject { ["description"] = "test" },
            ["licenses"] = new JsonArray(),
            ["images"] = Images.DeepClone(),
            ["annotations"] = Annotations.DeepClone(),
            ["categories"] = Categories.DeepClone(),
        };
        File.WriteAllText(AnnotationFile, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return AnnotationFile;
    }

    public CocoDataset Load(CocoDatasetOptions? options = null)
    {
        Write();
        return CocoDataset.Load(AnnotationFile, ImageDir, options);
    }

    public void Dispose() => dir.Dispose();
}
