using System.Numerics;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// Dict-key equality with Python's rules for the values a pickle holds: 1, 1L, True and 1.0 are one key;
/// tuples (<c>object?[]</c>) compare by content; strings by ordinal; anything else by Equals.
/// </summary>
public sealed class PickleKeyComparer : IEqualityComparer<object>
{
    /// <summary>The shared instance.</summary>
    public static readonly PickleKeyComparer Instance = new();

    const int MaxDepth = 64;

    static object Normalize(object x) => x switch
    {
        bool b => b ? 1L : 0L,
        int i => (long)i,
        short s => (long)s,
        sbyte s => (long)s,
        byte b => (long)b,
        ushort u => (long)u,
        uint u => (long)u,
        ulong u when u <= long.MaxValue => (long)u,
        BigInteger b when b >= long.MinValue && b <= long.MaxValue => (long)b,
        float f => Normalize((double)f),
        double d when Math.Floor(d) == d && d >= long.MinValue && d < 9.2233720368547758E18 => (long)d,
        _ => x,
    };

    public new bool Equals(object? x, object? y) => Eq(x, y, 0);

    static bool Eq(object? x, object? y, int depth)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x is null || y is null) return false;
        x = Normalize(x);
        y = Normalize(y);
        if (x is object?[] a && y is object?[] b)
        {
            if (a.Length != b.Length || depth > MaxDepth) return false;
            for (int i = 0; i < a.Length; i++)
                if (!Eq(a[i], b[i], depth + 1)) return false;
            return true;
        }
        if (x is string s && y is string t) return string.Equals(s, t, StringComparison.Ordinal);
        return x.Equals(y);
    }

    public int GetHashCode(object obj) => Hash(obj, 0);

    static int Hash(object? obj, int depth)
    {
        if (obj is null) return 0;
        obj = Normalize(obj);
        if (obj is object?[] a)
        {
            var h = new HashCode();
            h.Add(a.Length);
            if (depth < MaxDepth)
                foreach (var x in a) h.Add(Hash(x, depth + 1));
            return h.ToHashCode();
        }
        if (obj is string s) return StringComparer.Ordinal.GetHashCode(s);
        return obj.GetHashCode();
    }
}
