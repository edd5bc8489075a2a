using System.Globalization;

namespace DetrSharp.Data.Coco;

/// <summary>
/// Validates a <see cref="CocoInstances"/> and indexes it by image. Every problem names the annotation file and the
/// record (image id, annotation id, file name): missing fields, duplicate ids, non-positive sizes, missing image files,
/// annotations of unknown images or categories, boxes with negative size or beyond the image.
/// </summary>
internal sealed class CocoIndexBuilder
{
    readonly CocoInstances instances;
    readonly string file;
    readonly string imageDirectory;
    readonly CocoDatasetOptions options;
    readonly List<DatasetException> problems = [];

    CocoIndexBuilder(CocoInstances instances, string annotationFile, string imageDirectory, CocoDatasetOptions options)
    {
        this.instances = instances;
        file = annotationFile;
        this.imageDirectory = imageDirectory;
        this.options = options;
    }

    internal static CocoIndex Build(CocoInstances instances, string annotationFile, string imageDirectory, CocoDatasetOptions options) =>
        new CocoIndexBuilder(instances, annotationFile, imageDirectory, options).Build();

    CocoIndex Build()
    {
        var categories = BuildCategories();
        var images = CollectImages(out var badImages);
        var perImage = CollectAnnotations(images, categories, badImages);
        if (problems.Count > 0 && !options.SkipInvalid) throw new DatasetException(file, problems);
        var rows = images.Values
            .Where(i => !badImages.Contains(i.Id))
            .OrderBy(i => i.Id)
            .Select(i => i with { Annotations = perImage.TryGetValue(i.Id, out var list) ? list.ToArray() : [] })
            .ToArray();
        return new CocoIndex(categories, rows, problems);
    }

    string Where => $"COCO annotations '{file}'";

    CocoCategories BuildCategories()
    {
        var entries = instances.Categories
            ?? throw new DatasetException($"{Where}: no \"categories\" array", file);
        var seen = new HashSet<long>();
        var list = new List<(int, string, string?)>(entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            var c = entries[i] ?? throw new DatasetException($"{Where}: categories[{i}] is null", file);
            if (c.Id is not long id) throw new DatasetException($"{Where}: categories[{i}] has no \"id\"", file);
            if (id is < int.MinValue or > int.MaxValue)
                throw new DatasetException($"{Where}: category id {id} (categories[{i}]) does not fit a 32-bit integer", file);
            if (!seen.Add(id)) throw new DatasetException($"{Where}: category id {id} appears more than once", file);
            if (string.IsNullOrEmpty(c.Name)) throw new DatasetException($"{Where}: category id {id} has no \"name\"", file);
            list.Add(((int)id, c.Name, c.Supercategory));
        }
        if (list.Count == 0) throw new DatasetException($"{Where}: the \"categories\" array is empty", file);
        return new CocoCategories(list);
    }

    Dictionary<long, CocoImageRow> CollectImages(out HashSet<long> badImages)
    {
        var entries = instances.Images ?? throw new DatasetException($"{Where}: no \"images\" array", file);
        var byId = new Dictionary<long, CocoImageRow>(entries.Count);
        badImages = [];
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e?.Id is not long id)
            {
                Problem($"images[{i}] has no \"id\"");
                continue;
            }
            string what = $"image id {id}" + (string.IsNullOrEmpty(e.FileName) ? "" : $" ('{e.FileName}')");
            if (byId.ContainsKey(id))
            {
                Problem($"image id {id} appears more than once (again at images[{i}])", id);
                badImages.Add(id);
                continue;
            }
            bool ok = true;
            if (string.IsNullOrEmpty(e.FileName)) { Problem($"{what} has no \"file_name\"", id); ok = false; }
            if (!IsPositiveInt(e.Width) || !IsPositiveInt(e.Height))
            {
                Problem($"{what}: image size {Show(e.Width)}x{Show(e.Height)} is not a positive whole number of pixels", id);
                ok = false;
            }
            string path = ok ? Path.Combine(imageDirectory, e.FileName!) : "";
            if (ok && !InsideImageFolder(path))
                throw new DatasetException($"{Where}: {what}: the file name leads outside the image folder '{imageDirectory}'; " +
                                           "file names must be relative paths inside it (no '..', no absolute paths)", file, id);
            if (ok && options.CheckImageFiles && !File.Exists(path))
            {
                Problem($"{what}: image file '{path}' not found", id);
                ok = false;
            }
            byId[id] = new CocoImageRow(id, e.FileName ?? "", path, ok ? (int)e.Width!.Value : 0, ok ? (int)e.Height!.Value : 0, []);
            if (!ok) badImages.Add(id);
        }
        return byId;
    }

    // a file_name such as "../../etc/hostname" or "/etc/passwd" must not make the loader read files elsewhere
    bool InsideImageFolder(string path)
    {
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(imageDirectory)) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(path).StartsWith(folder, StringComparison.Ordinal);
    }

    Dictionary<long, List<CocoAnnotationRow>> CollectAnnotations(Dictionary<long, CocoImageRow> images, CocoCategories categories,
        HashSet<long> badImages)
    {
        var entries = instances.Annotations ?? [];
        var perImage = new Dictionary<long, List<CocoAnnotationRow>>();
        var seen = new Dictionary<long, long?>(entries.Count); // annotation id -> its image id
        for (int i = 0; i < entries.Count; i++)
        {
            var a = entries[i];
            if (a?.Id is not long id)
            {
                Problem($"annotations[{i}] has no \"id\"", a?.ImageId);
                if (a?.ImageId is long img0) badImages.Add(img0);
                continue;
            }
            if (a.ImageId is not long imageId)
            {
                Problem($"annotation id {id} has no \"image_id\"", annotationId: id);
                continue;
            }
            if (seen.TryGetValue(id, out var firstImage))
            {
                Problem($"annotation id {id} appears more than once (image ids {firstImage} and {imageId})", imageId, id);
                badImages.Add(imageId);
                if (firstImage is long f) badImages.Add(f);
                continue;
            }
            seen[id] = imageId;
            if (!images.TryGetValue(imageId, out var image))
            {
                Problem($"annotation id {id} refers to image id {imageId}, which is not in \"images\"", imageId, id);
                continue;
            }
            if (badImages.Contains(imageId) && image.Width == 0) continue; // the image itself is already reported
            var row = CheckAnnotation(a, id, image, categories);
            if (row is null) { badImages.Add(imageId); continue; }
            if (options.DropCrowd && row.Value.IsCrowd != 0) continue;
            if (!perImage.TryGetValue(imageId, out var list)) perImage[imageId] = list = [];
            list.Add(row.Value);
        }
        return perImage;
    }

    CocoAnnotationRow? CheckAnnotation(CocoAnnotationEntry a, long id, CocoImageRow image, CocoCategories categories)
    {
        string what = $"annotation id {id} (image id {image.Id}, '{image.FileName}')";
        if (a.CategoryId is not long cat)
        {
            Problem($"{what} has no \"category_id\"", image.Id, id);
            return null;
        }
        if (cat is < int.MinValue or > int.MaxValue || !categories.TryGetLabel((int)cat, out int label))
        {
            Problem($"{what}: category id {cat} is not in \"categories\"", image.Id, id);
            return null;
        }
        int crowd = a.IsCrowd ?? 0;
        if (crowd is not (0 or 1))
        {
            Problem($"{what}: iscrowd {crowd} is neither 0 nor 1", image.Id, id);
            return null;
        }
        var b = a.Bbox;
        if (b is null || b.Length != 4)
        {
            Problem($"{what}: \"bbox\" must be [x, y, width, height], got {(b is null ? "nothing" : $"{b.Length} numbers")}", image.Id, id);
            return null;
        }
        string box = $"[{string.Join(", ", b.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]";
        if (!b.All(double.IsFinite))
        {
            Problem($"{what}: bbox {box} is not finite", image.Id, id);
            return null;
        }
        if (b[2] < 0 || b[3] < 0)
        {
            Problem($"{what}: bbox {box} has a negative width or height", image.Id, id);
            return null;
        }
        double tolX = options.BoxTolerancePixels + options.BoxToleranceFraction * image.Width;
        double tolY = options.BoxTolerancePixels + options.BoxToleranceFraction * image.Height;
        if (b[0] < -tolX || b[1] < -tolY || b[0] + b[2] > image.Width + tolX || b[1] + b[3] > image.Height + tolY)
        {
            Problem($"{what}: bbox {box} lies outside the {image.Width}x{image.Height} image", image.Id, id);
            return null;
        }
        double area = a.Area ?? b[2] * b[3];
        if (!double.IsFinite(area) || area < 0)
        {
            Problem($"{what}: area {area.ToString(CultureInfo.InvariantCulture)} is negative or not finite", image.Id, id);
            return null;
        }
        return new CocoAnnotationRow(id, (int)cat, label, b[0], b[1], b[2], b[3], (float)area, crowd);
    }

    void Problem(string message, long? imageId = null, long? annotationId = null) =>
        problems.Add(new DatasetException($"{Where}: {message}", file, imageId, annotationId));

    static bool IsPositiveInt(double? v) => v is double d && d >= 1 && d <= int.MaxValue && d == Math.Floor(d);

    static string Show(double? v) => v is double d ? d.ToString(CultureInfo.InvariantCulture) : "(missing)";
}
