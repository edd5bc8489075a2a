using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Nn;

/// <summary>Value and shape checks for the nn tests.</summary>
internal static class NnAssert
{
    /// <summary>A float64 CPU tensor with the given values and shape.</summary>
    public static Tensor T(double[] values, params long[] shape) => torch.tensor(values, shape.Length == 0 ? new long[] { values.Length } : shape);

    /// <summary>A float32 CPU tensor with the given values and shape.</summary>
    public static Tensor F(float[] values, params long[] shape) => torch.tensor(values, shape.Length == 0 ? new long[] { values.Length } : shape);

    /// <summary>An int64 CPU tensor.</summary>
    public static Tensor L(long[] values, params long[] shape) => torch.tensor(values, shape.Length == 0 ? new long[] { values.Length } : shape);

    /// <summary>A bool CPU tensor.</summary>
    public static Tensor B(bool[] values, params long[] shape) => torch.tensor(values, shape.Length == 0 ? new long[] { values.Length } : shape);

    public static double[] Values(Tensor t)
    {
        using var d = t.to(ScalarType.Float64);
        return d.data<double>();
    }

    /// <summary>Every value within tol of the expected one (absolute), and the shape when given.</summary>
    public static void Close(double[] expected, Tensor actual, double tol = 1e-5, long[]? shape = null)
    {
        if (shape is not null) Assert.Equal(shape, actual.shape);
        var got = Values(actual);
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
            if (!Same(expected[i], got[i], tol))
                Assert.Fail($"element {i}: expected {expected[i]:R}, got {got[i]:R} (tol {tol}); all: [{string.Join(", ", got.Take(64).Select(v => v.ToString("G6")))}]");
    }

    public static void Close(double expected, Tensor actual, double tol = 1e-5) => Close(new[] { expected }, actual, tol);

    /// <summary>Two tensors with the same shape and values within tol.</summary>
    public static void Close(Tensor expected, Tensor actual, double tol = 1e-5)
    {
        Assert.Equal(expected.shape, actual.shape);
        Close(Values(expected), actual, tol);
    }

    static bool Same(double e, double g, double tol)
    {
        if (double.IsNaN(e)) return double.IsNaN(g);
        if (double.IsInfinity(e)) return e == g;
        return Math.Abs(e - g) <= tol;
    }
}
