using DetrSharp.Torch;

namespace DetrSharp.Detection.Models;

/// <summary>Shapes written as in error messages: <c>[2, 3, 64, 64]</c>.</summary>
internal static class ShapeText
{
    public static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";
    public static string Format(Tensor t) => Format(t.shape);
}
