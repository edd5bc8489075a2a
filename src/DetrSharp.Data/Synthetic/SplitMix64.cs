namespace DetrSharp.Data.Synthetic;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator used to seed <see cref="Xoshiro256StarStar"/> and to hash
/// (seed, split, index) into independent per-image seeds. Fixed arithmetic, so output never depends on the runtime.
/// </summary>
public struct SplitMix64(ulong state)
{
    ulong state = state;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>SplitMix64's finaliser: a bijective 64-bit mix.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Hashes several values into one seed (order matters).</summary>
    public static ulong Combine(params ReadOnlySpan<ulong> values)
    {
        ulong h = 0x6A09E667F3BCC908UL;
        foreach (var v in values) h = Mix(h ^ Mix(v + 0x9E3779B97F4A7C15UL));
        return h;
    }
}
