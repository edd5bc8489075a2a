namespace DetrSharp.Data.Imaging;

/// <summary>
/// Applies an EXIF orientation (1-8) to pixels, giving the upright picture a viewer shows
/// (the same transforms as PIL's <c>ImageOps.exif_transpose</c>).
/// </summary>
public static class ImageOrientation
{
    /// <summary>
    /// The upright image: 1 returns <paramref name="image"/> itself; 2 mirrors left-right; 3 rotates 180°;
    /// 4 mirrors top-bottom; 5 transposes; 6 rotates 90° clockwise; 7 transverses; 8 rotates 90° counter-clockwise.
    /// 5-8 swap width and height.
    /// </summary>
    public static RgbImage Apply(RgbImage image, int orientation)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (orientation is < 1 or > 8)
            throw new ArgumentOutOfRangeException(nameof(orientation), $"EXIF orientation {orientation} is not in 1..8");
        if (orientation == 1) return image;
        int w = image.Width, h = image.Height;
        bool swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int y = 0; y < oh; y++)
        {
            for (int x = 0; x < ow; x++)
            {
                // (sx, sy): the source pixel shown at output (x, y)
                var (sx, sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x), // 8
                };
                int s = (sy * w + sx) * 3, d = (y * ow + x) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(ow, oh, dst);
    }
}
