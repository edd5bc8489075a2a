using System.Text.Json;

namespace DetrSharp.Evaluation;

/// <summary>
/// Detection results checked against a ground truth, as pycocotools' <c>COCO.loadRes</c> prepares them:
/// detection <c>i</c> (in input order) gets id <c>i + 1</c>, area <c>w * h</c> (any given area is ignored)
/// and <c>iscrowd = 0</c>.
/// </summary>
public sealed class CocoDetections
{
    readonly CocoDetection[] detections;

    CocoDetections(CocoDetection[] detections, string source)
    {
        this.detections = detections;
        Source = source;
    }

    /// <summary>How messages name these results (a file path, or e.g. "detections").</summary>
    public string Source { get; }

    /// <summary>The detections in input order; the id of <c>Items[i]</c> is <c>i + 1</c>.</summary>
    public IReadOnlyList<CocoDetection> Items => detections;

    /// <summary>How many detections there are.</summary>
    public int Count => detections.Length;

    internal CocoDetection[] Array => detections;

    /// <summary>Reads a standard COCO results file: a JSON array of <c>{image_id, category_id, bbox, score}</c>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CocoDataException">Malformed JSON or records, an empty list, or a detection on an image the ground truth lacks.</exception>
    public static CocoDetections Load(string path, CocoGroundTruth groundTruth)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        using var doc = CocoJson.ParseFile(path, "detection-results");
        return Parse(doc.RootElement, groundTruth, path);
    }

    /// <summary>Parses a results JSON text; see <see cref="Load"/>.</summary>
    public static CocoDetections Parse(string json, CocoGroundTruth groundTruth, string source = "detections")
    {
        ArgumentNullException.ThrowIfNull(json);
        using var doc = CocoJson.ParseBytes(System.Text.Encoding.UTF8.GetBytes(json), source);
        return Parse(doc.RootElement, groundTruth, source);
    }

    /// <summary>Builds the results from a parsed JSON array; see <see cref="Load"/>. Extra fields are ignored.</summary>
    public static CocoDetections Parse(JsonElement root, CocoGroundTruth groundTruth, string source = "detections")
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        if (root.ValueKind != JsonValueKind.Array)
            throw new CocoDataException(source, null, $"results must be a JSON array of detection objects, found {CocoJson.Describe(root)}");
        var list = new CocoDetection[root.GetArrayLength()];
        int i = 0;
        foreach (var e in root.EnumerateArray())
        {
            string rec = $"detections[{i}]";
            CocoJson.RequireObject(e, source, rec);
            list[i++] = new CocoDetection(
                CocoJson.Id(e, "image_id", source, rec),
                CocoJson.Id(e, "category_id", source, rec),
                CocoJson.Box(e, source, rec),
                CocoJson.Number(e, "score", source, rec));
        }
        return Checked(list, groundTruth, source);
    }

    /// <summary>
    /// The in-memory entry: results from a list (e.g. a model's post-processed predictions), checked
    /// as a results file is. The list is copied.
    /// </summary>
    /// <exception cref="CocoDataException">An empty list, or a detection on an image the ground truth lacks.</exception>
    public static CocoDetections FromList(IEnumerable<CocoDetection> detections, CocoGroundTruth groundTruth, string source = "detections")
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(groundTruth);
        return Checked(detections.ToArray(), groundTruth, source);
    }

    static CocoDetections Checked(CocoDetection[] list, CocoGroundTruth gt, string source)
    {
        // The order of pycocotools' loadRes: the image check first, then the empty-list failure.
        for (int i = 0; i < list.Length; i++)
            if (!gt.HasImage(list[i].ImageId))
                throw new CocoDataException(source, $"detections[{i}]",
                    $"image_id {list[i].ImageId} is not an image of the ground truth ({gt.Source}); " +
                    "results do not correspond to the current COCO set");
        if (list.Length == 0)
            throw new CocoDataException(source, null,
                "the results list is empty; there is nothing to evaluate (pycocotools' loadRes fails the same way)");
        return new CocoDetections(list, source);
    }
}
