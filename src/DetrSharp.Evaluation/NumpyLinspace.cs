namespace DetrSharp.Evaluation;

/// <summary><c>np.linspace(start, stop, num)</c> value for value: <c>i * step + start</c>, the last one exactly <c>stop</c>.</summary>
internal static class NumpyLinspace
{
    public static double[] Values(double start, double stop, int num)
    {
        var y = new double[num];
        if (num == 0) return y;
        double step = (stop - start) / Math.Max(num - 1, 1);
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        if (num > 1) y[num - 1] = stop;
        return y;
    }
}
