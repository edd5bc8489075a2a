namespace DetrSharp.Data.Synthetic;

/// <summary>
/// xoshiro256** (Blackman and Vigna 2018), seeded through <see cref="SplitMix64"/>. A mutable struct: pass it by ref.
/// Its output is fixed by the algorithm, unlike <see cref="Random"/> whose sequence may change between .NET versions.
/// </summary>
public struct Xoshiro256StarStar
{
    ulong s0, s1, s2, s3;

    /// <summary>State from four SplitMix64 outputs of <paramref name="seed"/>, as the reference code recommends.</summary>
    public Xoshiro256StarStar(ulong seed)
    {
        var sm = new SplitMix64(seed);
        s0 = sm.Next(); s1 = sm.Next(); s2 = sm.Next(); s3 = sm.Next();
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [lo, hi).</summary>
    public double NextDouble(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"bound {n} is not positive");
        ulong bound = (ulong)n;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong x = NextUInt64();
            UInt128 m = (UInt128)x * bound;
            if ((ulong)m >= threshold) return (int)(ulong)(m >> 64);
        }
    }

    /// <summary>Uniform integer in [lo, hi] (both inclusive).</summary>
    public int NextInt(int lo, int hi) => lo + NextInt(hi - lo + 1);

    /// <summary>Three integers uniform in [-amplitude, amplitude] from one draw (16 bits each; bias below 1e-4).</summary>
    public (int A, int B, int C) NextNoise3(int amplitude)
    {
        ulong bits = NextUInt64();
        ulong span = (ulong)(2 * amplitude + 1);
        return ((int)(((bits & 0xFFFF) * span) >> 16) - amplitude,
                (int)((((bits >> 16) & 0xFFFF) * span) >> 16) - amplitude,
                (int)((((bits >> 32) & 0xFFFF) * span) >> 16) - amplitude);
    }

    static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
