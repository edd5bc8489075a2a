using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Drawing;

/// <summary>
/// Rectangles and labelled boxes drawn into an <see cref="RgbImage"/> in place, clipped to the image.
/// Coordinates are pixel edges as in xyxy boxes: a rectangle (x1, y1, x2, y2) covers columns x1..x2-1 and rows y1..y2-1.
/// </summary>
public static class ImageDrawing
{
    /// <summary>Fills the rectangle [x1, x2) × [y1, y2).</summary>
    public static void FillRectangle(RgbImage image, int x1, int y1, int x2, int y2, Rgb color)
    {
        ArgumentNullException.ThrowIfNull(image);
        x1 = Math.Max(x1, 0); y1 = Math.Max(y1, 0);
        x2 = Math.Min(x2, image.Width); y2 = Math.Min(y2, image.Height);
        var px = image.Pixels;
        for (int y = y1; y < y2; y++)
        {
            for (int x = x1; x < x2; x++)
            {
                int o = image.OffsetOf(x, y);
                px[o] = color.R;
                px[o + 1] = color.G;
                px[o + 2] = color.B;
            }
        }
    }

    /// <summary>Draws the outline of [x1, x2) × [y1, y2), <paramref name="thickness"/> pixels wide, growing inwards.</summary>
    public static void DrawRectangle(RgbImage image, int x1, int y1, int x2, int y2, Rgb color, int thickness = 1)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (thickness < 1) throw new ArgumentOutOfRangeException(nameof(thickness), $"thickness {thickness} is below 1");
        if (x2 <= x1 || y2 <= y1) return;
        int t = Math.Min(thickness, Math.Min((x2 - x1 + 1) / 2, (y2 - y1 + 1) / 2));
        FillRectangle(image, x1, y1, x2, y1 + t, color);           // top
        FillRectangle(image, x1, y2 - t, x2, y2, color);           // bottom
        FillRectangle(image, x1, y1 + t, x1 + t, y2 - t, color);   // left
        FillRectangle(image, x2 - t, y1 + t, x2, y2 - t, color);   // right
    }

    /// <summary>
    /// Draws a detection: the box outline and, above its top-left corner (inside the box when there is no room above),
    /// a filled tag in the box colour holding <paramref name="label"/> in black or white.
    /// </summary>
    /// <param name="image">Drawn into in place.</param>
    /// <param name="x1">Left edge in pixels (a float box is rounded by the caller).</param>
    /// <param name="y1">Top edge.</param>
    /// <param name="x2">Right edge (exclusive).</param>
    /// <param name="y2">Bottom edge (exclusive).</param>
    /// <param name="label">e.g. "cat 0.87"; printable ASCII, others drawn as '?'. Empty draws no tag.</param>
    /// <param name="color">Box and tag colour.</param>
    /// <param name="thickness">Outline width in pixels.</param>
    /// <param name="textScale">Glyph magnification (1 = 5x7 pixels per glyph).</param>
    public static void DrawLabeledBox(RgbImage image, int x1, int y1, int x2, int y2, string label, Rgb color,
        int thickness = 2, int textScale = 1)
    {
        DrawRectangle(image, x1, y1, x2, y2, color, thickness);
        if (string.IsNullOrEmpty(label)) return;
        var (tw, th) = BitmapFont.Measure(label, textScale);
        int pad = textScale;
        int tagW = tw + 2 * pad, tagH = th + 2 * pad;
        int tx = Math.Clamp(x1, 0, Math.Max(0, image.Width - tagW));
        int ty = y1 - tagH >= 0 ? y1 - tagH : Math.Max(0, y1);
        FillRectangle(image, tx, ty, tx + tagW, ty + tagH, color);
        BitmapFont.DrawText(image, tx + pad, ty + pad, label, color.Contrasting, textScale);
    }
}
