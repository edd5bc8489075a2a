namespace DetrSharp.Data.Imaging;

/// <summary>
/// How an untrusted image file is decoded: the largest pixel count its header may claim (checked before any pixel
/// buffer is allocated, so a few-kilobyte file claiming 26000×26000 pixels is refused instead of taking gigabytes),
/// whether corrupt JPEG data that libjpeg-turbo decodes with a warning is an error, and where such warnings go.
/// </summary>
public sealed record ImageLimits
{
    /// <summary>Pillow's Image.MAX_IMAGE_PIXELS (its decompression-bomb threshold): 178,956,970 pixels.</summary>
    public const long DefaultMaxPixels = 178_956_970;

    public static readonly ImageLimits Default = new();

    /// <summary>The most pixels (width × height) an image may have.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>Corrupt JPEG data decoded with a libjpeg-turbo warning is an <see cref="ImageDecodeException"/>.</summary>
    public bool Strict { get; init; }

    /// <summary>Receives "FILE: warning" for corrupt data decoded anyway (when not <see cref="Strict"/>); null ignores them.</summary>
    public Action<string>? OnWarning { get; init; }

    internal void CheckPixels(string name, string format, long width, long height)
    {
        if (width * height > MaxPixels)
            throw new ImageDecodeException(name,
                $"the {format} header claims {width}x{height} = {width * height:N0} pixels, more than the limit of {MaxPixels:N0} " +
                "(a decompression bomb or a mistake; data.max_image_pixels raises the limit)");
    }
}
