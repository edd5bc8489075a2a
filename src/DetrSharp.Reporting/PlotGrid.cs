using DetrSharp.Torch.IO;
using ScottPlot;
using SkiaSharp;

namespace DetrSharp.Reporting;

/// <summary>ScottPlot plots laid out in a grid on one PNG, written atomically.</summary>
public static class PlotGrid
{
    /// <summary>Renders <paramref name="plots"/> row-major, <paramref name="columns"/> per row, each cell w × h pixels.</summary>
    public static byte[] Render(IReadOnlyList<Plot> plots, int columns, int cellWidth, int cellHeight)
    {
        if (plots.Count == 0) throw new ArgumentException("nothing to plot", nameof(plots));
        columns = Math.Clamp(columns, 1, plots.Count);
        int rows = (plots.Count + columns - 1) / columns;
        using var surface = SKSurface.Create(new SKImageInfo(columns * cellWidth, rows * cellHeight, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"cannot make a {columns * cellWidth}x{rows * cellHeight} drawing surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        for (int i = 0; i < plots.Count; i++)
        {
            // each plot on its own surface: a plot's render clears the whole canvas it is given
            using var cell = SKSurface.Create(new SKImageInfo(cellWidth, cellHeight, SKColorType.Rgba8888, SKAlphaType.Premul))
                ?? throw new InvalidOperationException($"cannot make a {cellWidth}x{cellHeight} drawing surface");
            plots[i].Render(cell);
            using var picture = cell.Snapshot();
            canvas.DrawImage(picture, i % columns * cellWidth, i / columns * cellHeight, SKSamplingOptions.Default);
        }
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Renders and writes the grid to <paramref name="path"/> through <see cref="AtomicFile"/>.</summary>
    public static void Write(string path, IReadOnlyList<Plot> plots, int columns, int cellWidth, int cellHeight)
        => AtomicFile.WriteAllBytes(path, Render(plots, columns, cellWidth, cellHeight), flushToDisk: false);
}
