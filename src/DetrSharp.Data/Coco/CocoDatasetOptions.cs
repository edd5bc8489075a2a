namespace DetrSharp.Data.Coco;

/// <summary>How <see cref="CocoDataset.Load"/> builds and checks a dataset.</summary>
public sealed class CocoDatasetOptions
{
    /// <summary>
    /// Drop <c>iscrowd = 1</c> annotations from the training targets, as the DETR reference does (default true).
    /// They are validated either way.
    /// </summary>
    public bool DropCrowd { get; init; } = true;

    /// <summary>
    /// Leave out images with a bad record (and annotations pointing at unknown images), listing each problem in
    /// <see cref="CocoDataset.Problems"/>, instead of throwing (default false: the first problem throws).
    /// Problems with categories always throw, since labels depend on them.
    /// </summary>
    public bool SkipInvalid { get; init; }

    /// <summary>Check at load time that every image file exists (default true).</summary>
    public bool CheckImageFiles { get; init; } = true;

    /// <summary>Check in <see cref="CocoDataset.LoadImage"/> that the decoded size equals the record's (default true).</summary>
    public bool CheckImageSize { get; init; } = true;

    /// <summary>
    /// Apply JPEG EXIF orientation when loading images (default false: COCO's annotations, and Pillow's
    /// <c>Image.open</c> used by the reference, refer to the stored pixels).
    /// </summary>
    public bool ApplyExifOrientation { get; init; }

    /// <summary>Pixel-count limit and corrupt-data handling of image decoding (<see cref="Imaging.ImageLimits"/>).</summary>
    public Imaging.ImageLimits ImageLimits { get; init; } = Imaging.ImageLimits.Default;

    /// <summary>How far, in pixels, a box may extend beyond the image before it is an error (default 1).</summary>
    public double BoxTolerancePixels { get; init; } = 1.0;

    /// <summary>Further tolerance as a fraction of the image side (default 0.01).</summary>
    public double BoxToleranceFraction { get; init; } = 0.01;
}
