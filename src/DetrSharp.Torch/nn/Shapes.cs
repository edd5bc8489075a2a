namespace DetrSharp.Torch;

/// <summary>Shape formatting for error messages: "[2, 3, 4]".</summary>
internal static class Shapes
{
    public static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";
    public static string Format(Tensor t) => Format(t.shape);
}
