using System.Text.Json;
using System.Text.Json.Nodes;
using DetrSharp.Data.Coco;
using DetrSharp.Detection.Families;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// A COCO detection-results list ([{image_id, category_id, bbox: [x, y, w, h], score}]) as pycocotools' loadRes and
/// `detrsharp cocoeval` read it: image ids from an instances file matched by file name, category ids by class
/// name, boxes clipped to the image.
/// </summary>
public sealed class CocoResults
{
    readonly string _annotations;
    readonly Dictionary<string, long> _imageIds;
    readonly long[] _categoryIds;
    readonly JsonArray _results = new();

    CocoResults(string annotations, Dictionary<string, long> imageIds, long[] categoryIds)
    {
        _annotations = annotations;
        _imageIds = imageIds;
        _categoryIds = categoryIds;
    }

    public int Count => _results.Count;

    /// <summary>The ids of <paramref name="annotations"/>; every class of the model must be one of its categories.</summary>
    public static CocoResults For(string annotations, IReadOnlyList<string> classNames)
    {
        var instances = CocoInstances.Read(annotations);
        var images = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var img in instances.Images ?? [])
            if (img.Id is long id && !string.IsNullOrEmpty(img.FileName)) images.TryAdd(Path.GetFileName(img.FileName), id);
        var byName = (instances.Categories ?? []).Where(c => c.Id != null && c.Name != null)
            .GroupBy(c => c.Name!).ToDictionary(g => g.Key, g => g.First().Id!.Value);
        var ids = classNames.Select(n => byName.TryGetValue(n, out var id) ? id
            : throw new ArgumentException($"{annotations}: no category named \"{n}\" (the checkpoint's classes are {string.Join(", ", classNames)})")).ToArray();
        return new CocoResults(annotations, images, ids);
    }

    /// <summary>Adds an image's detections; returns how many.</summary>
    public int Add(string file, ImageDetections det, int width, int height)
    {
        if (!_imageIds.TryGetValue(Path.GetFileName(file), out var imageId))
            throw new ArgumentException($"{file}: no image of that file name in {_annotations}, so it has no COCO image id");
        for (int i = 0; i < det.Count; i++)
        {
            double x1 = Math.Clamp(det.BoxesXyxy[i * 4], 0, width), y1 = Math.Clamp(det.BoxesXyxy[i * 4 + 1], 0, height);
            double x2 = Math.Clamp(det.BoxesXyxy[i * 4 + 2], 0, width), y2 = Math.Clamp(det.BoxesXyxy[i * 4 + 3], 0, height);
            _results.Add(new JsonObject
            {
                ["image_id"] = imageId,
                ["category_id"] = _categoryIds[det.Labels[i]],
                ["bbox"] = new JsonArray(Math.Round(x1, 2), Math.Round(y1, 2), Math.Round(Math.Max(0, x2 - x1), 2), Math.Round(Math.Max(0, y2 - y1), 2)),
                ["score"] = Math.Round(det.Scores[i], 5),
            });
        }
        return det.Count;
    }

    public string ToJson() => _results.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
