namespace DetrSharp.Data.Imaging;

/// <summary>Encoded image formats recognised by their leading magic bytes.</summary>
public enum ImageFormat
{
    /// <summary>Not a format this library decodes.</summary>
    Unknown,
    /// <summary>JPEG/JFIF/EXIF (starts FF D8 FF).</summary>
    Jpeg,
    /// <summary>PNG (starts 89 'P' 'N' 'G' 0D 0A 1A 0A).</summary>
    Png,
}

/// <summary>Format sniffing by magic bytes (file extensions are never trusted).</summary>
public static class ImageFormatDetector
{
    static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format of an encoded image, from its first bytes.</summary>
    public static ImageFormat Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFormat.Jpeg;
        if (data.StartsWith(PngSignature)) return ImageFormat.Png;
        return ImageFormat.Unknown;
    }
}
