namespace DetrSharp.Data.Drawing;

/// <summary>
/// A box to draw: edges in pixels of the image it is drawn on (x2, y2 exclusive, as in xyxy boxes), the class index
/// that picks its colour (<see cref="Rgb.ForClass"/>) and the tag text ("cat 0.87"; empty draws no tag).
/// </summary>
public readonly record struct LabeledBox(float X1, float Y1, float X2, float Y2, int ClassIndex, string Label)
{
    /// <summary>The same box scaled by (sx, sy) and shifted by (dx, dy): for drawing onto a resized tile.</summary>
    public LabeledBox Scaled(float sx, float sy, float dx = 0, float dy = 0)
        => this with { X1 = X1 * sx + dx, Y1 = Y1 * sy + dy, X2 = X2 * sx + dx, Y2 = Y2 * sy + dy };
}
