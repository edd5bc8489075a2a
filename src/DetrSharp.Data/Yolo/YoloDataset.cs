using DetrSharp.Data.Coco;
using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Yolo;

/// <summary>A YOLO split as COCO records: what <see cref="YoloDataset.Read"/> gives.</summary>
/// <param name="Dataset">The split as the project's dataset type (<see cref="YoloDataset"/>).</param>
/// <param name="Instances">The split's images (ids 1.. in sorted path order), boxes in pixels and classes (category id = class index).</param>
/// <param name="ImageDirectory">The folder the images' file names are relative to.</param>
/// <param name="Problems">The images left out, each naming its file (and line).</param>
public sealed record YoloSplit(CocoDataset Dataset, CocoInstances Instances, string ImageDirectory, IReadOnlyList<DatasetException> Problems);

/// <summary>
/// Reads a split of a YOLO dataset (<see cref="YoloDataYaml"/>) into the project's one dataset type,
/// <see cref="CocoDataset"/>: class index k is category id k, so <see cref="CocoCategories"/> maps it to label k, and
/// loaders, transforms and evaluation work unchanged. Every image's header is read (its size, upright as the loader
/// decodes it) and its label file checked (<see cref="YoloLabelFile"/>); an image without a label file, or with an
/// empty one, is a background image.
/// </summary>
public static class YoloDataset
{
    /// <summary>ultralytics refuses images under 10 pixels a side.</summary>
    public const int MinImageSide = 10;

    /// <summary>The split as a dataset (see <see cref="Read"/>).</summary>
    public static CocoDataset Load(YoloDataYaml yaml, string split, CocoDatasetOptions? options = null, Action<string>? onWarning = null)
        => Read(yaml, split, options, onWarning).Dataset;

    /// <summary>
    /// The options a YOLO split is read with: the given ones with EXIF orientation applied, since ultralytics' labels
    /// refer to the upright picture (its exif_size and cv2.imread).
    /// </summary>
    public static CocoDatasetOptions ForYolo(CocoDatasetOptions? options)
    {
        options ??= new CocoDatasetOptions();
        return options.ApplyExifOrientation ? options : new CocoDatasetOptions
        {
            DropCrowd = options.DropCrowd, SkipInvalid = options.SkipInvalid, CheckImageFiles = options.CheckImageFiles,
            CheckImageSize = options.CheckImageSize, ApplyExifOrientation = true, ImageLimits = options.ImageLimits,
            BoxTolerancePixels = options.BoxTolerancePixels, BoxToleranceFraction = options.BoxToleranceFraction,
        };
    }

    /// <summary>
    /// Lists the split's images, reads their headers and label files. A bad image or label file is an error
    /// (the first one, naming the file and line) unless <see cref="CocoDatasetOptions.SkipInvalid"/>, which leaves it
    /// out and lists it in <see cref="YoloSplit.Problems"/>. Duplicate label lines are dropped and reported to
    /// <paramref name="onWarning"/>.
    /// </summary>
    /// <exception cref="DatasetException">A source is missing, no image is found, or (without SkipInvalid) a file is bad.</exception>
    public static YoloSplit Read(YoloDataYaml yaml, string split, CocoDatasetOptions? options = null, Action<string>? onWarning = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        options = ForYolo(options);
        string where = $"YOLO dataset '{yaml.File}' {split}";
        var images = YoloImageFiles.List(yaml.SourcesOf(split), where);
        var entries = new Entry[images.Length];
        Parallel.For(0, images.Length, i => entries[i] = ReadImage(images[i], i + 1, yaml.Names.Count, options.ImageLimits));

        var problems = new List<DatasetException>();
        foreach (var e in entries)
        {
            if (e.Problem != null) problems.Add(e.Problem);
            else if (e.Labels.Duplicates > 0)
                onWarning?.Invoke($"{e.ImagePath}: {e.Labels.Duplicates} duplicate label line(s) removed from '{e.LabelPath}'");
        }
        if (problems.Count > 0 && !options.SkipInvalid)
            throw problems.Count == 1 ? problems[0] : new DatasetException(
                $"{problems[0].Message} (and {problems.Count - 1} more bad image(s) or label file(s) in the {split} split)",
                problems[0].FilePath, problems[0].ImageId, inner: problems[0]);

        string folder = YoloImageFiles.CommonFolder(images);
        var instances = new CocoInstances
        {
            Images = [],
            Annotations = [],
            Categories = yaml.Names.Select((name, k) => new CocoCategoryEntry { Id = k, Name = name }).ToList(),
        };
        long annotationId = 1;
        foreach (var e in entries)
        {
            if (e.Problem != null) continue;
            instances.Images.Add(new CocoImageEntry { Id = e.Id, FileName = Path.GetRelativePath(folder, e.ImagePath), Width = e.Width, Height = e.Height });
            foreach (var l in e.Labels.Labels)
            {
                // normalised centre/size to a pixel [x, y, w, h] inside the image
                double x1 = Math.Clamp(l.Cx - l.W / 2, 0, 1) * e.Width, x2 = Math.Clamp(l.Cx + l.W / 2, 0, 1) * e.Width;
                double y1 = Math.Clamp(l.Cy - l.H / 2, 0, 1) * e.Height, y2 = Math.Clamp(l.Cy + l.H / 2, 0, 1) * e.Height;
                instances.Annotations.Add(new CocoAnnotationEntry
                {
                    Id = annotationId++, ImageId = e.Id, CategoryId = l.Class,
                    Bbox = [x1, y1, x2 - x1, y2 - y1], Area = (x2 - x1) * (y2 - y1), IsCrowd = 0,
                });
            }
        }
        var dataset = CocoDataset.FromInstances(instances, yaml.File, folder, options, problems);
        return new YoloSplit(dataset, instances, folder, problems);
    }

    sealed record Entry(long Id, string ImagePath, string LabelPath, int Width, int Height, YoloLabelFileContent Labels, DatasetException? Problem);

    static Entry ReadImage(string image, long id, int classCount, ImageLimits limits)
    {
        string labelPath = YoloImageFiles.LabelPathOf(image);
        var none = new YoloLabelFileContent([], 0, null);
        Entry Bad(string message, string file, Exception? inner = null) =>
            new(id, image, labelPath, 0, 0, none, new DatasetException(message, file, id, inner: inner));
        int w, h;
        try { (w, h) = ImageCodec.ReadSize(image, limits, applyExifOrientation: true); }
        catch (ImageDecodeException e) { return Bad($"{e.Message} (corrupt or unreadable image)", image, e); }
        if (w < MinImageSide || h < MinImageSide)
            return Bad($"image '{image}' is {w}x{h} pixels; images must be at least {MinImageSide} pixels on each side", image);
        if (!File.Exists(labelPath)) return new Entry(id, image, labelPath, w, h, none, null); // a background image
        string text;
        try { text = File.ReadAllText(labelPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Bad($"label file '{labelPath}': cannot read it: {e.Message}", labelPath, e);
        }
        var labels = YoloLabelFile.Parse(text, labelPath, classCount);
        return labels.Problem != null
            ? Bad($"label file {labels.Problem} (image '{image}')", labelPath)
            : new Entry(id, image, labelPath, w, h, labels, null);
    }
}
