namespace DetrSharp.Data.Imaging;

/// <summary>
/// An 8-bit RGB picture held in managed memory: <see cref="Pixels"/> is row-major
/// <c>[Height, Width, 3]</c>, channels in R, G, B order, no row padding.
/// </summary>
public sealed class RgbImage
{
    /// <summary>Width in pixels (at least 1).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (at least 1).</summary>
    public int Height { get; }

    /// <summary>The samples, <c>[Height, Width, 3]</c> row-major; index of (x, y, c) is <c>(y * Width + x) * 3 + c</c>.</summary>
    public byte[] Pixels { get; }

    /// <summary>A black image of the given size.</summary>
    public RgbImage(int width, int height)
        : this(width, height, new byte[CheckedLength(width, height)]) { }

    /// <summary>Wraps existing samples (not copied); <paramref name="pixels"/> must hold exactly <c>width * height * 3</c> bytes.</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        long expected = CheckedLength(width, height);
        if (pixels.Length != expected)
            throw new ArgumentException($"pixel buffer holds {pixels.Length} bytes; a {width}x{height} RGB image needs {expected}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Offset in <see cref="Pixels"/> of the red sample of pixel (x, y).</summary>
    public int OffsetOf(int x, int y) => (y * Width + x) * 3;

    /// <summary>A deep copy.</summary>
    public RgbImage Clone() => new(Width, Height, (byte[])Pixels.Clone());

    static int CheckedLength(int width, int height)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} is not positive");
        long n = (long)width * height * 3;
        if (n > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} exceeds the largest managed buffer");
        return (int)n;
    }
}
