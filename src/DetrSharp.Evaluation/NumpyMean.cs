namespace DetrSharp.Evaluation;

/// <summary>
/// <c>np.mean</c> of a contiguous float64 array: numpy's reduction walks it in buffer-sized blocks
/// (8192 elements), adding each block's pairwise sum to the running total, then divides once.
/// </summary>
internal static class NumpyMean
{
    const int BufferSize = 8192;   // numpy's default ufunc buffer size

    public static double Of(ReadOnlySpan<double> a)
    {
        double sum = 0.0;
        for (int i = 0; i < a.Length; i += BufferSize)
            sum += PairwiseSum(a.Slice(i, Math.Min(BufferSize, a.Length - i)));
        return sum / a.Length;
    }

    /// <summary>numpy's <c>DOUBLE_pairwise_sum</c>: blocks of up to 128 summed in 8 lanes, halves above that.</summary>
    public static double PairwiseSum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = 0.0;
            for (int i = 0; i < n; i++) res += a[i];
            return res;
        }
        if (n <= 128)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            int i;
            for (i = 8; i < n - (n % 8); i += 8)
            {
                r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3];
                r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += a[i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSum(a[..n2]) + PairwiseSum(a[n2..]);
    }
}
