namespace DetrSharp.Data.Synthetic;

/// <summary>The synthetic dataset's classes, in category id order (category id = value + 1).</summary>
public enum ShapeKind
{
    /// <summary>A disc (slightly elliptic at most).</summary>
    Circle,
    /// <summary>An axis-aligned square (slightly oblong at most).</summary>
    Square,
    /// <summary>An isosceles triangle, apex up.</summary>
    Triangle,
    /// <summary>A square turned 45°, possibly stretched.</summary>
    Diamond,
    /// <summary>A plus sign.</summary>
    Cross,
}

/// <summary>Membership tests of the shapes in their own frame: u, v in [-1, 1] span the shape's box.</summary>
internal static class ShapeGeometry
{
    internal const int KindCount = 5;

    internal static readonly string[] Names = ["circle", "square", "triangle", "diamond", "cross"];

    const double CrossArm = 0.34;

    /// <summary>Whether (u, v) lies in the shape (u right, v down).</summary>
    internal static bool Inside(ShapeKind kind, double u, double v)
    {
        if (u < -1 || u > 1 || v < -1 || v > 1) return false;
        double au = Math.Abs(u), av = Math.Abs(v);
        return kind switch
        {
            ShapeKind.Circle => u * u + v * v <= 1,
            ShapeKind.Square => true,
            ShapeKind.Triangle => au <= (v + 1) * 0.5,  // apex at the top
            ShapeKind.Diamond => au + av <= 1,
            ShapeKind.Cross => au <= CrossArm || av <= CrossArm,
            _ => false,
        };
    }
}
