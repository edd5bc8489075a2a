using System.Text.Json;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>The yolo/ fixtures of one kind, parsed once per test run, and their tensor lists and params.</summary>
internal static class YoloFixtureData
{
    static readonly Dictionary<string, IReadOnlyList<Fixture>> ByKind = new();

    /// <summary>xunit rows for every yolo/ fixture of the kind (extra folder included).</summary>
    public static IEnumerable<object[]> Names(string kind) => Load(kind).Select(f => new object[] { f.Name });

    /// <summary>The named fixture of the kind.</summary>
    public static Fixture Get(string kind, string name) => Load(kind).Single(f => f.Name == name);

    static IReadOnlyList<Fixture> Load(string kind)
    {
        lock (ByKind)
        {
            if (!ByKind.TryGetValue(kind, out var list)) ByKind[kind] = list = Fixtures.Load("yolo", kind);
            return list;
        }
    }

    /// <summary>A JSON array of tensors (feature maps) as tensors, optionally requiring grad.</summary>
    public static Tensor[] TensorList(JsonElement e, bool requiresGrad = false)
        => e.EnumerateArray().Select(t => FixtureData.Tensor(t, requiresGrad)).ToArray();

    public static double Double(Fixture f, string key) => f.Params.GetProperty(key).GetDouble();
    public static int Int(Fixture f, string key) => f.Params.GetProperty(key).GetInt32();
    public static long[] Longs(Fixture f, string key) => f.Params.GetProperty(key).EnumerateArray().Select(x => x.GetInt64()).ToArray();

    /// <summary>Asserts an integer or bool tensor equals the expected one exactly (shape and values).</summary>
    public static void AssertExact(string what, JsonElement expected, Tensor actual)
        => FixtureData.AssertClose(what, expected, actual, 0, 0);

    /// <summary>Asserts the tensor's dtype is the fixture's.</summary>
    public static void AssertDType(string what, JsonElement expected, Tensor actual)
    {
        var dtype = FixtureTensor.Parse(expected).DType;
        var want = dtype switch
        {
            "int64" => ScalarType.Int64,
            "bool" => ScalarType.Bool,
            "float64" => ScalarType.Float64,
            _ => ScalarType.Float32,
        };
        Assert.True(actual.dtype == want, $"{what}: dtype {actual.dtype}, expected {dtype}");
    }
}
