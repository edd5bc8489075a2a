using System.Text.Json;

namespace DetrSharp.TestSupport;

/// <summary>A tensor as the fixture JSON writes it: shape, dtype and flat row-major data (no libtorch needed).</summary>
public sealed class FixtureTensor
{
    public required long[] Shape { get; init; }
    public required string DType { get; init; }
    /// <summary>The values as doubles (bools as 0/1); non-finite strings decoded.</summary>
    public required double[] Data { get; init; }

    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);
    public float[] AsFloat() => Data.Select(d => (float)d).ToArray();
    public long[] AsLong() => Data.Select(d => (long)d).ToArray();
    public bool[] AsBool() => Data.Select(d => d != 0).ToArray();
    public int[] AsInt() => Data.Select(d => (int)d).ToArray();

    public static bool IsTensor(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("shape", out _) && e.TryGetProperty("data", out _);

    public static FixtureTensor Parse(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
        var dtype = e.TryGetProperty("dtype", out var dt) ? dt.GetString()! : "float32";
        var data = new List<double>();
        Flatten(e.GetProperty("data"), data);
        return new FixtureTensor { Shape = shape, DType = dtype, Data = data.ToArray() };
    }

    /// <summary>A JSON number, bool or non-finite string ("Infinity", "-Infinity", "NaN") as a double.</summary>
    public static double Number(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.String => v.GetString() switch
        {
            "Infinity" or "inf" => double.PositiveInfinity,
            "-Infinity" or "-inf" => double.NegativeInfinity,
            "NaN" or "nan" => double.NaN,
            var s => double.Parse(s!, System.Globalization.CultureInfo.InvariantCulture),
        },
        _ => throw new FormatException("not a number: " + v),
    };

    static void Flatten(JsonElement e, List<double> into)
    {
        if (e.ValueKind == JsonValueKind.Array)
            foreach (var x in e.EnumerateArray()) Flatten(x, into);
        else into.Add(Number(e));
    }
}

/// <summary>Closeness checks with numpy.allclose semantics and messages naming the fixture and index.</summary>
public static class Close
{
    public static void All(string what, ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double atol, double rtol)
    {
        if (expected.Length != actual.Length)
            throw new Xunit.Sdk.XunitException($"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) && e == a) continue;
            if (!(Math.Abs(a - e) <= atol + rtol * Math.Abs(e)))
                throw new Xunit.Sdk.XunitException($"{what}[{i}]: got {a:R}, expected {e:R} (atol {atol}, rtol {rtol})");
        }
    }
}
