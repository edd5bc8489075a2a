using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Synthetic;

/// <summary>One ground-truth object of a synthetic scene: the tight box of its visible pixels.</summary>
/// <param name="Kind">Its class.</param>
/// <param name="X">Left edge of the visible pixels (COCO bbox x).</param>
/// <param name="Y">Top edge (COCO bbox y).</param>
/// <param name="Width">Box width in pixels (COCO bbox w); the box covers columns X..X+Width-1.</param>
/// <param name="Height">Box height in pixels (COCO bbox h).</param>
/// <param name="VisiblePixels">How many of its pixels are visible (COCO "area").</param>
public readonly record struct SyntheticObject(ShapeKind Kind, int X, int Y, int Width, int Height, int VisiblePixels);

/// <summary>A rendered synthetic picture and its objects (back to front).</summary>
public sealed record SyntheticScene(RgbImage Image, IReadOnlyList<SyntheticObject> Objects)
{
    /// <summary>Per pixel, <c>[H, W]</c>: the index in <see cref="Objects"/> of the shape shown there, or -1 for background.</summary>
    internal short[] ObjectMap { get; init; } = [];
}
