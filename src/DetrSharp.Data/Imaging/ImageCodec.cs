using DetrSharp.Torch.IO;

namespace DetrSharp.Data.Imaging;

/// <summary>
/// Reads JPEG and PNG files into <see cref="RgbImage"/> (format sniffed from the magic bytes, never the extension)
/// and writes PNG. Thread-safe: every call uses its own codec context.
/// </summary>
public static class ImageCodec
{
    /// <summary>Reads and decodes an image file.</summary>
    /// <param name="path">A JPEG or PNG file.</param>
    /// <param name="applyExifOrientation">Rotate/flip a JPEG as its EXIF orientation says (the picture a viewer shows).
    /// Pillow's <c>Image.open</c>, which the reference training code uses, does not; nor do COCO's annotations.</param>
    /// <exception cref="ImageDecodeException">The file cannot be read, is not JPEG/PNG, or is corrupt or truncated.</exception>
    public static RgbImage Decode(string path, bool applyExifOrientation = true) => Decode(path, ImageLimits.Default, applyExifOrientation);

    /// <summary>Reads and decodes an image file within <paramref name="limits"/> (pixel count checked from the header first).</summary>
    /// <exception cref="ImageDecodeException">Unreadable, not JPEG/PNG, corrupt, truncated, or larger than the limits.</exception>
    public static RgbImage Decode(string path, ImageLimits limits, bool applyExifOrientation = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, e.Message, e);
        }
        return Decode(data, path, limits, applyExifOrientation);
    }

    /// <summary>Decodes an encoded image held in memory.</summary>
    /// <param name="data">The encoded bytes.</param>
    /// <param name="nameForErrors">What error messages call the image (usually its path).</param>
    /// <param name="applyExifOrientation">See <see cref="Decode(string, bool)"/>.</param>
    /// <exception cref="ImageDecodeException">Not JPEG/PNG, or corrupt or truncated.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> data, string nameForErrors, bool applyExifOrientation = true)
        => Decode(data, nameForErrors, ImageLimits.Default, applyExifOrientation);

    /// <summary>Decodes an encoded image held in memory within <paramref name="limits"/>.</summary>
    public static RgbImage Decode(ReadOnlySpan<byte> data, string nameForErrors, ImageLimits limits, bool applyExifOrientation = true)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return ImageFormatDetector.Detect(data) switch
        {
            ImageFormat.Jpeg => JpegDecoder.Decode(data, nameForErrors, limits, applyExifOrientation),
            ImageFormat.Png => PngDecoder.Decode(data, nameForErrors, limits),
            _ => throw new ImageDecodeException(nameForErrors, data.Length == 0
                ? "the file is empty"
                : $"not a JPEG or PNG (starts {Convert.ToHexString(data[..Math.Min(8, data.Length)])})"),
        };
    }

    /// <summary>
    /// The width and height an image file's header declares, checked against <paramref name="limits"/>, without
    /// decoding its pixels (the stored size: EXIF orientation is not applied).
    /// </summary>
    /// <exception cref="ImageDecodeException">Unreadable, not JPEG/PNG, a bad header, or larger than the limits.</exception>
    public static (int Width, int Height) ReadSize(string path, ImageLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ReadSize(ReadFile(path), path, limits ?? ImageLimits.Default);
    }

    static byte[] ReadFile(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, e.Message, e);
        }
    }

    static (int Width, int Height) ReadSize(byte[] data, string path, ImageLimits limits)
    {
        return ImageFormatDetector.Detect(data) switch
        {
            ImageFormat.Jpeg => JpegDecoder.ReadSize(data, path, limits),
            ImageFormat.Png => PngDecoder.ReadSize(data, path, limits),
            _ => throw new ImageDecodeException(path, data.Length == 0
                ? "the file is empty"
                : $"not a JPEG or PNG (starts {Convert.ToHexString(data[..Math.Min(8, data.Length)])})"),
        };
    }

    /// <summary>
    /// The size of the picture <see cref="Decode(string, ImageLimits, bool)"/> returns, from the header alone: with
    /// <paramref name="applyExifOrientation"/> a JPEG whose EXIF orientation is 5-8 (a quarter turn) reads with width
    /// and height swapped.
    /// </summary>
    /// <exception cref="ImageDecodeException">Unreadable, not JPEG/PNG, a bad header, or larger than the limits.</exception>
    public static (int Width, int Height) ReadSize(string path, ImageLimits? limits, bool applyExifOrientation)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var data = ReadFile(path);
        var (w, h) = ReadSize(data, path, limits ?? ImageLimits.Default);
        if (!applyExifOrientation || ImageFormatDetector.Detect(data) != ImageFormat.Jpeg) return (w, h);
        var header = JpegHeaderScanner.Scan(data);
        if (header.ExifOffset < 0) return (w, h);
        return ExifOrientation.Read(data.AsSpan(header.ExifOffset, header.ExifLength)) >= 5 ? (h, w) : (w, h);
    }

    /// <summary>Encodes an image as an 8-bit RGB PNG.</summary>
    /// <param name="image">The picture.</param>
    /// <param name="compressionLevel">zlib level 0 (fastest) to 9 (smallest), or -1 for the default (6).</param>
    public static byte[] EncodePng(RgbImage image, int compressionLevel = -1)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (compressionLevel is < -1 or > 9)
            throw new ArgumentOutOfRangeException(nameof(compressionLevel), $"PNG compression level {compressionLevel} is not in -1..9");
        return PngEncoder.Encode(image, compressionLevel);
    }

    /// <summary>Writes an image as an 8-bit RGB PNG, atomically (temporary file, then rename).</summary>
    /// <param name="path">The destination; its folder must exist.</param>
    /// <param name="image">The picture.</param>
    /// <param name="compressionLevel">See <see cref="EncodePng"/>.</param>
    /// <param name="flushToDisk">fsync before the rename.</param>
    public static void WritePng(string path, RgbImage image, int compressionLevel = -1, bool flushToDisk = false)
    {
        AtomicFile.WriteAllBytes(path, EncodePng(image, compressionLevel), flushToDisk);
    }
}
