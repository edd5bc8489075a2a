namespace DetrSharp.Evaluation;

/// <summary>A COCO box: top-left corner and size in pixels, <c>[x, y, width, height]</c>.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width (may be zero).</param>
/// <param name="Height">Height (may be zero).</param>
public readonly record struct CocoBox(double X, double Y, double Width, double Height)
{
    /// <summary>Width times height: the area <c>loadRes</c> gives a detection.</summary>
    public double Area => Width * Height;
}
