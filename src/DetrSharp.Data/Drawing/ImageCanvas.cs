using DetrSharp.Data.Imaging;
using SkiaSharp;

namespace DetrSharp.Data.Drawing;

/// <summary>
/// The one drawing path of the project: draws shapes, text and other images into an <see cref="RgbImage"/> through
/// SkiaSharp (anti-aliased text in DejaVu Sans, or Skia's default face where it is missing), clipped to the image.
/// The pixels are copied in when the canvas is made and back when it is disposed.
/// Coordinates are pixel edges as in xyxy boxes: (x1, y1, x2, y2) covers columns x1..x2-1 and rows y1..y2-1.
/// </summary>
public sealed class ImageCanvas : IDisposable
{
    static readonly Lazy<SKTypeface> Face = new(() => SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default);

    readonly RgbImage _image;
    readonly SKBitmap _bitmap;
    readonly SKCanvas _canvas;
    bool _disposed;

    public ImageCanvas(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        _image = image;
        _bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var dst = _bitmap.GetPixelSpan();
        var src = image.Pixels;
        for (int p = 0, q = 0; p < src.Length; p += 3, q += 4)
        {
            dst[q] = src[p]; dst[q + 1] = src[p + 1]; dst[q + 2] = src[p + 2]; dst[q + 3] = 255;
        }
        _canvas = new SKCanvas(_bitmap);
    }

    public int Width => _image.Width;
    public int Height => _image.Height;

    static SKColor ToSk(Rgb c) => new(c.R, c.G, c.B);

    /// <summary>Fills [x1, x2) × [y1, y2).</summary>
    public void FillRectangle(float x1, float y1, float x2, float y2, Rgb color)
    {
        using var paint = new SKPaint { Color = ToSk(color), Style = SKPaintStyle.Fill };
        _canvas.DrawRect(SKRect.Create(x1, y1, x2 - x1, y2 - y1), paint);
    }

    /// <summary>The outline of [x1, x2) × [y1, y2), <paramref name="thickness"/> pixels wide, growing inwards.</summary>
    public void DrawRectangle(float x1, float y1, float x2, float y2, Rgb color, float thickness = 1)
    {
        if (!(thickness > 0)) throw new ArgumentOutOfRangeException(nameof(thickness), $"thickness {thickness} is not positive");
        if (x2 <= x1 || y2 <= y1) return;
        float t = Math.Min(thickness, Math.Min(x2 - x1, y2 - y1) / 2);
        using var paint = new SKPaint { Color = ToSk(color), Style = SKPaintStyle.Stroke, StrokeWidth = t };
        _canvas.DrawRect(SKRect.Create(x1 + t / 2, y1 + t / 2, x2 - x1 - t, y2 - y1 - t), paint);
    }

    /// <summary>Width and height in pixels of <paramref name="text"/> at <paramref name="size"/> pixels (the line height).</summary>
    public static (float Width, float Height) MeasureText(string text, float size)
    {
        if (string.IsNullOrEmpty(text)) return (0, 0);
        using var font = new SKFont(Face.Value, size);
        return (font.MeasureText(text), font.Spacing);
    }

    /// <summary>Draws <paramref name="text"/> with its line box's top-left corner at (x, y).</summary>
    public void DrawText(string text, float x, float y, Rgb color, float size)
    {
        if (string.IsNullOrEmpty(text)) return;
        using var font = new SKFont(Face.Value, size) { Edging = SKFontEdging.Antialias };
        using var paint = new SKPaint { Color = ToSk(color), IsAntialias = true };
        _canvas.DrawText(text, x, y - font.Metrics.Ascent, SKTextAlign.Left, font, paint);
    }

    /// <summary>
    /// A detection: the box outline and, above its top-left corner (inside the box where there is no room above), a
    /// filled tag in the box colour holding the label in black or white. Line width and text size follow
    /// <see cref="ImageDrawing.LineWidth"/> and <see cref="ImageDrawing.FontSize"/> of this image unless given.
    /// </summary>
    public void DrawLabeledBox(LabeledBox box, float? thickness = null, float? fontSize = null)
    {
        var color = Rgb.ForClass(box.ClassIndex);
        float t = thickness ?? ImageDrawing.LineWidth(Width, Height);
        DrawRectangle(box.X1, box.Y1, box.X2, box.Y2, color, t);
        if (string.IsNullOrEmpty(box.Label)) return;
        float size = fontSize ?? ImageDrawing.FontSize(Width, Height);
        var (tw, th) = MeasureText(box.Label, size);
        float pad = MathF.Max(1, size / 8);
        float tagW = tw + 2 * pad, tagH = th + 2 * pad;
        float tx = Math.Clamp(box.X1, 0, Math.Max(0, Width - tagW));
        float ty = box.Y1 - tagH >= 0 ? box.Y1 - tagH : Math.Max(0, box.Y1);
        FillRectangle(tx, ty, tx + tagW, ty + tagH, color);
        DrawText(box.Label, tx + pad, ty + pad, color.Contrasting, size);
    }

    /// <summary>Draws <paramref name="source"/> scaled (bilinear) into the rectangle at (x, y) of size w × h.</summary>
    public void DrawImage(RgbImage source, float x, float y, float w, float h)
    {
        using var other = new ImageCanvas(source);
        using var image = SKImage.FromBitmap(other._bitmap);
        using var paint = new SKPaint();
        _canvas.DrawImage(image, SKRect.Create(x, y, w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), paint);
    }

    /// <summary>Copies the drawing back into the image.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _canvas.Flush();
        _canvas.Dispose();
        var src = _bitmap.GetPixelSpan();
        var dst = _image.Pixels;
        for (int p = 0, q = 0; p < dst.Length; p += 3, q += 4)
        {
            dst[p] = src[q]; dst[p + 1] = src[q + 1]; dst[p + 2] = src[q + 2];
        }
        _bitmap.Dispose();
    }
}
