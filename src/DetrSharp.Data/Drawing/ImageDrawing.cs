using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Drawing;

/// <summary>
/// Detections drawn onto an image through <see cref="ImageCanvas"/>, with line width and text size scaled with the
/// image (as ultralytics' Annotator does) so that class names and scores read at any image size.
/// </summary>
public static class ImageDrawing
{
    /// <summary>Box outline width for an image: 0.3 % of the mean side, at least 1 pixel.</summary>
    public static float LineWidth(int width, int height) => MathF.Max(1, MathF.Round((width + height) / 2f * 0.003f));

    /// <summary>Label text size (line height, pixels) for an image: 2.5 % of the mean side, at least 10 pixels.</summary>
    public static float FontSize(int width, int height) => MathF.Max(10, MathF.Round((width + height) / 2f * 0.025f));

    /// <summary>Draws every box with its tag into <paramref name="image"/> in place.</summary>
    public static void DrawBoxes(RgbImage image, IEnumerable<LabeledBox> boxes)
    {
        using var canvas = new ImageCanvas(image);
        foreach (var b in boxes) canvas.DrawLabeledBox(b);
    }
}
