namespace DetrSharp.Assignment.Tests;

/// <summary>Seeded random cost matrices of the kinds the property tests draw.</summary>
internal static class RandomMatrices
{
    /// <summary>
    /// A rows x cols matrix: uniform [0, 1) floats (float32-representable) or small integers (many ties), with
    /// each entry forbidden (+inf, or -inf when maximizing) with probability <paramref name="forbiddenRate"/>.
    /// </summary>
    public static double[] Draw(Random rng, int rows, int cols, bool integers, double forbiddenRate, bool maximize, int maxInt = 4)
    {
        var c = new double[rows * cols];
        for (int k = 0; k < c.Length; k++)
        {
            if (rng.NextDouble() < forbiddenRate) c[k] = maximize ? double.NegativeInfinity : double.PositiveInfinity;
            else c[k] = integers ? rng.Next(maxInt) : (float)rng.NextDouble();
        }
        return c;
    }

    public static double[] Transpose(double[] c, int rows, int cols)
    {
        var t = new double[c.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                t[j * rows + i] = c[i * cols + j];
        return t;
    }
}
