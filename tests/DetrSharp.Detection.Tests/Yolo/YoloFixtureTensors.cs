using System.Text.Json;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>Helpers for the yolo/ loss, assigner and decoding fixtures: tensor lists, params, exact and dtype checks.</summary>
internal static class YoloFixtureTensors
{
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

    /// <summary>
    /// Asserts closeness with the expected float32 values read back as float32 (FORMAT.md: 9 significant digits
    /// round-trip exactly), so a tolerance of 0 means bit-equal float32 values.
    /// </summary>
    public static void AssertClose32(string what, JsonElement expected, Tensor actual, double atol, double rtol)
    {
        var e = FixtureTensor.Parse(expected);
        Assert.True(e.Shape.SequenceEqual(actual.shape),
            $"{what}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", e.Shape)}]");
        var want = e.DType == "float32" ? e.Data.Select(x => (double)(float)x).ToArray() : e.Data;
        using var d = actual.detach().to(ScalarType.Float64, Device.CPU);
        Close.All(what, want, d.data<double>(), atol, rtol);
    }
}
