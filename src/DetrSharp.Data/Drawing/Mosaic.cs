using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Drawing;

/// <summary>One cell of a <see cref="Mosaic"/>: an image, its boxes in that image's pixels, and an optional caption.</summary>
public sealed record MosaicTile(RgbImage Image, IReadOnlyList<LabeledBox> Boxes, string? Title = null);

/// <summary>
/// Images laid out in a grid of square cells (ultralytics' train_batch/val_batch mosaics): each scaled to fit its cell,
/// its boxes drawn with tags sized for the cell, its caption in the cell's top-left corner.
/// </summary>
public static class Mosaic
{
    static readonly Rgb Background = new(114, 114, 114);

    /// <param name="tiles">The cells in row-major order (at least one).</param>
    /// <param name="columns">Cells per row.</param>
    /// <param name="maxCell">Largest cell side in pixels: cells are as large as the largest image, at least 160 pixels
    /// (so tags stay readable), at most this.</param>
    public static RgbImage Compose(IReadOnlyList<MosaicTile> tiles, int columns, int maxCell = 320)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (tiles.Count == 0) throw new ArgumentException("a mosaic needs at least one image", nameof(tiles));
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), $"columns {columns} is below 1");
        if (maxCell < 16) throw new ArgumentOutOfRangeException(nameof(maxCell), $"cell size {maxCell} is below 16 pixels");
        int cell = Math.Min(maxCell, Math.Max(160, tiles.Max(t => Math.Max(t.Image.Width, t.Image.Height))));
        columns = Math.Min(columns, tiles.Count);
        int rows = (tiles.Count + columns - 1) / columns;
        var result = new RgbImage(columns * cell, rows * cell);
        float font = MathF.Max(10, cell * 0.045f);
        float line = MathF.Max(1, cell / 160f);
        using var canvas = new ImageCanvas(result);
        canvas.FillRectangle(0, 0, result.Width, result.Height, Background);
        for (int i = 0; i < tiles.Count; i++)
        {
            var t = tiles[i];
            float ox = i % columns * cell, oy = i / columns * cell;
            float scale = MathF.Min((float)cell / t.Image.Width, (float)cell / t.Image.Height);
            float w = t.Image.Width * scale, h = t.Image.Height * scale;
            canvas.DrawImage(t.Image, ox, oy, w, h);
            foreach (var b in t.Boxes) canvas.DrawLabeledBox(b.Scaled(scale, scale, ox, oy), line, font);
            if (!string.IsNullOrEmpty(t.Title))
            {
                var (tw, th) = ImageCanvas.MeasureText(t.Title, font);
                canvas.FillRectangle(ox, oy + cell - th - 4, ox + tw + 4, oy + cell, Rgb.White);
                canvas.DrawText(t.Title, ox + 2, oy + cell - th - 2, Rgb.Black, font);
            }
            canvas.DrawRectangle(ox, oy, ox + cell, oy + cell, Rgb.White, 1);
        }
        return result;
    }
}
