using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Coco;

/// <summary>
/// A COCO detection dataset: images in increasing image id order (as torchvision's <c>CocoDetection</c>), each with
/// its targets (<see cref="CocoRecord"/>), images without annotations kept as negatives, category ids mapped to
/// contiguous labels. Validated when loaded. Thread-safe for concurrent <see cref="GetRecord"/>/<see cref="LoadImage"/>.
/// </summary>
public sealed class CocoDataset
{
    readonly CocoIndex index;
    readonly Dictionary<long, int> positionOfImageId;

    CocoDataset(CocoIndex index, string annotationFile, string imageDirectory, CocoDatasetOptions options)
    {
        this.index = index;
        AnnotationFile = annotationFile;
        ImageDirectory = imageDirectory;
        Options = options;
        positionOfImageId = new Dictionary<long, int>(index.Images.Length);
        for (int i = 0; i < index.Images.Length; i++) positionOfImageId.Add(index.Images[i].Id, i);
    }

    /// <summary>Reads and validates <paramref name="annotationFile"/>; image file names are relative to <paramref name="imageDirectory"/>.</summary>
    /// <exception cref="DatasetException">The file is unreadable or malformed, or a record is invalid (unless <see cref="CocoDatasetOptions.SkipInvalid"/>).</exception>
    public static CocoDataset Load(string annotationFile, string imageDirectory, CocoDatasetOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageDirectory);
        return FromInstances(CocoInstances.Read(annotationFile), annotationFile, imageDirectory, options);
    }

    /// <summary>Validates already-read records; <paramref name="annotationFile"/> is what messages call their source.</summary>
    public static CocoDataset FromInstances(CocoInstances instances, string annotationFile, string imageDirectory,
        CocoDatasetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(instances);
        options ??= new CocoDatasetOptions();
        var index = CocoIndexBuilder.Build(instances, annotationFile, imageDirectory, options);
        return new CocoDataset(index, annotationFile, imageDirectory, options);
    }

    /// <summary>
    /// As <see cref="FromInstances(CocoInstances, string, string, CocoDatasetOptions?)"/>, listing first in
    /// <see cref="Problems"/> the records another layout's reader (YOLO) already left out.
    /// </summary>
    internal static CocoDataset FromInstances(CocoInstances instances, string source, string imageDirectory,
        CocoDatasetOptions options, IReadOnlyList<DatasetException> earlierProblems)
    {
        var index = CocoIndexBuilder.Build(instances, source, imageDirectory, options);
        if (earlierProblems.Count > 0) index = index with { Problems = [.. earlierProblems, .. index.Problems] };
        return new CocoDataset(index, source, imageDirectory, options);
    }

    /// <summary>The COCO instances file the dataset was read from (a YOLO dataset's data.yaml).</summary>
    public string AnnotationFile { get; }
    /// <summary>The folder image file names are relative to.</summary>
    public string ImageDirectory { get; }
    /// <summary>The options it was loaded with.</summary>
    public CocoDatasetOptions Options { get; }

    /// <summary>The number of images.</summary>
    public int Count => index.Images.Length;

    /// <summary>Categories and the category id ↔ label map.</summary>
    public CocoCategories Categories => index.Categories;

    /// <summary>Category names in label order (label i is <c>CategoryNames[i]</c>).</summary>
    public IReadOnlyList<string> CategoryNames => index.Categories.Names;

    /// <summary>The problems left out under <see cref="CocoDatasetOptions.SkipInvalid"/> (empty otherwise).</summary>
    public IReadOnlyList<DatasetException> Problems => index.Problems;

    /// <summary>The image id at a position.</summary>
    public long ImageIdAt(int position) => index.Images[CheckPosition(position)].Id;

    /// <summary>The position of an image id, or -1.</summary>
    public int IndexOfImageId(long imageId) => positionOfImageId.TryGetValue(imageId, out var i) ? i : -1;

    /// <summary>The targets of the image at <paramref name="position"/>, in fresh arrays.</summary>
    public CocoRecord GetRecord(int position)
    {
        var image = index.Images[CheckPosition(position)];
        var anns = image.Annotations;
        var boxes = new float[anns.Length * 4];
        var keep = new List<int>(anns.Length);
        Span<double> xywh = stackalloc double[4];
        for (int i = 0; i < anns.Length; i++)
        {
            var a = anns[i];
            xywh[0] = a.X; xywh[1] = a.Y; xywh[2] = a.W; xywh[3] = a.H;
            if (CocoBoxConversion.ToClippedXyxy(xywh, image.Width, image.Height, boxes.AsSpan(keep.Count * 4, 4)))
                keep.Add(i);
        }
        int n = keep.Count;
        var record = new CocoRecord
        {
            Index = position,
            ImageId = image.Id,
            FileName = image.FileName,
            FilePath = image.FilePath,
            Width = image.Width,
            Height = image.Height,
            Boxes = n * 4 == boxes.Length ? boxes : boxes[..(n * 4)],
            Labels = new int[n],
            CategoryIds = new int[n],
            IsCrowd = new int[n],
            Areas = new float[n],
            AnnotationIds = new long[n],
        };
        for (int j = 0; j < n; j++)
        {
            var a = anns[keep[j]];
            record.Labels[j] = a.Label;
            record.CategoryIds[j] = a.CategoryId;
            record.IsCrowd[j] = a.IsCrowd;
            record.Areas[j] = a.Area;
            record.AnnotationIds[j] = a.Id;
        }
        return record;
    }

    /// <summary>Decodes the image at <paramref name="position"/>.</summary>
    /// <exception cref="ImageDecodeException">The file is missing, unreadable, corrupt or truncated.</exception>
    /// <exception cref="DatasetException">The decoded size differs from the record's (with <see cref="CocoDatasetOptions.CheckImageSize"/>).</exception>
    public RgbImage LoadImage(int position)
    {
        var image = index.Images[CheckPosition(position)];
        var rgb = ImageCodec.Decode(image.FilePath, Options.ImageLimits, Options.ApplyExifOrientation);
        if (Options.CheckImageSize && (rgb.Width != image.Width || rgb.Height != image.Height))
            throw new DatasetException(
                $"COCO annotations '{AnnotationFile}': image id {image.Id}: '{image.FilePath}' is {rgb.Width}x{rgb.Height} pixels " +
                $"but its record says {image.Width}x{image.Height}", image.FilePath, image.Id);
        return rgb;
    }

    int CheckPosition(int position) => (uint)position < (uint)index.Images.Length
        ? position
        : throw new ArgumentOutOfRangeException(nameof(position), $"position {position} is not in 0..{index.Images.Length - 1} of '{AnnotationFile}'");
}
