using System.Text.Json;

namespace DetrSharp.Evaluation;

/// <summary>
/// A COCO instances dataset as pycocotools' <c>COCO</c> class holds it: images, categories and
/// ground-truth annotations. Built from a file (<see cref="Load"/>), parsed JSON (<see cref="Parse(JsonElement, string)"/>)
/// or in memory (the constructor), e.g. by a training engine evaluating its own predictions.
/// </summary>
public sealed class CocoGroundTruth
{
    readonly CocoImage[] images;
    readonly CocoCategory[] categories;
    readonly CocoAnnotation[] annotations;
    readonly HashSet<long> imageIdSet;

    /// <summary>Creates a dataset from its three lists; the lists are copied.</summary>
    /// <param name="images">Images; a repeated id counts once, as in pycocotools.</param>
    /// <param name="categories">Categories, in file order.</param>
    /// <param name="annotations">Ground-truth annotations, in file order (order matters for ties).</param>
    /// <param name="source">How messages name this dataset (a file path, or e.g. "ground truth").</param>
    public CocoGroundTruth(IEnumerable<CocoImage> images, IEnumerable<CocoCategory> categories,
        IEnumerable<CocoAnnotation> annotations, string source = "ground truth")
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(annotations);
        this.images = images.ToArray();
        this.categories = categories.ToArray();
        this.annotations = annotations.ToArray();
        Source = source;
        imageIdSet = new HashSet<long>(this.images.Length);
        foreach (var im in this.images) imageIdSet.Add(im.Id);
        var ids = imageIdSet.ToArray();
        Array.Sort(ids);
        ImageIds = ids;
        var cats = new long[this.categories.Length];
        for (int i = 0; i < cats.Length; i++) cats[i] = this.categories[i].Id;
        Array.Sort(cats);
        CategoryIds = cats;
    }

    /// <summary>How messages name this dataset: its file path, or the name given in memory.</summary>
    public string Source { get; }

    /// <summary>The images, in file order.</summary>
    public IReadOnlyList<CocoImage> Images => images;

    /// <summary>The categories, in file order.</summary>
    public IReadOnlyList<CocoCategory> Categories => categories;

    /// <summary>The ground-truth annotations, in file order.</summary>
    public IReadOnlyList<CocoAnnotation> Annotations => annotations;

    /// <summary>The distinct image ids, sorted: the default <see cref="CocoEvalParams.ImgIds"/>.</summary>
    public IReadOnlyList<long> ImageIds { get; }

    /// <summary>The category ids, sorted (repeats kept, as pycocotools' <c>sorted(getCatIds())</c>): the default <see cref="CocoEvalParams.CatIds"/>.</summary>
    public IReadOnlyList<long> CategoryIds { get; }

    internal CocoAnnotation[] AnnotationArray => annotations;

    /// <summary>Whether an image of this id is in the <c>images</c> list.</summary>
    public bool HasImage(long imageId) => imageIdSet.Contains(imageId);

    /// <summary>The name of a category, or null when it has none or is unknown.</summary>
    public string? CategoryName(long categoryId)
    {
        foreach (var c in categories) if (c.Id == categoryId) return c.Name;
        return null;
    }

    /// <summary>Reads a COCO instances JSON file (<c>images</c>, <c>annotations</c>, <c>categories</c>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CocoDataException">Malformed JSON, or a record missing a field or holding a wrong value.</exception>
    public static CocoGroundTruth Load(string path)
    {
        using var doc = CocoJson.ParseFile(path, "ground-truth");
        return Parse(doc.RootElement, path);
    }

    /// <summary>Parses a COCO instances JSON text.</summary>
    /// <exception cref="CocoDataException">Malformed JSON or records.</exception>
    public static CocoGroundTruth Parse(string json, string source = "ground truth")
    {
        ArgumentNullException.ThrowIfNull(json);
        using var doc = CocoJson.ParseBytes(System.Text.Encoding.UTF8.GetBytes(json), source);
        return Parse(doc.RootElement, source);
    }

    /// <summary>
    /// Builds the dataset from a parsed instances object. Each list is optional, as in pycocotools.
    /// Annotations need <c>id</c>, <c>image_id</c>, <c>category_id</c>, <c>bbox</c> and <c>area</c>;
    /// <c>iscrowd</c> defaults to 0.
    /// </summary>
    /// <exception cref="CocoDataException">A record is malformed; the message names it.</exception>
    public static CocoGroundTruth Parse(JsonElement root, string source = "ground truth")
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new CocoDataException(source, null, $"a COCO instances file must be a JSON object, found {CocoJson.Describe(root)}");

        var images = new List<CocoImage>();
        int i = 0;
        foreach (var e in List(root, "images", source))
        {
            string rec = CocoJson.RecordName("images", i++, e);
            CocoJson.RequireObject(e, source, rec);
            images.Add(new CocoImage(CocoJson.Id(e, "id", source, rec), CocoJson.String(e, "file_name"),
                CocoJson.Int(e, "width"), CocoJson.Int(e, "height")));
        }

        var categories = new List<CocoCategory>();
        i = 0;
        foreach (var e in List(root, "categories", source))
        {
            string rec = CocoJson.RecordName("categories", i++, e);
            CocoJson.RequireObject(e, source, rec);
            categories.Add(new CocoCategory(CocoJson.Id(e, "id", source, rec), CocoJson.String(e, "name"),
                CocoJson.String(e, "supercategory")));
        }

        var annotations = new List<CocoAnnotation>();
        i = 0;
        foreach (var e in List(root, "annotations", source))
        {
            string rec = CocoJson.RecordName("annotations", i++, e);
            CocoJson.RequireObject(e, source, rec);
            annotations.Add(new CocoAnnotation(
                CocoJson.Id(e, "id", source, rec),
                CocoJson.Id(e, "image_id", source, rec),
                CocoJson.Id(e, "category_id", source, rec),
                CocoJson.Box(e, source, rec),
                CocoJson.Number(e, "area", source, rec),
                CocoJson.Flag(e, "iscrowd", source, rec)));
        }
        return new CocoGroundTruth(images, categories, annotations, source);
    }

    static IEnumerable<JsonElement> List(JsonElement root, string field, string source)
    {
        if (!root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            return [];
        if (v.ValueKind != JsonValueKind.Array)
            throw new CocoDataException(source, field, $"must be an array, found {CocoJson.Describe(v)}");
        return v.EnumerateArray();
    }
}
