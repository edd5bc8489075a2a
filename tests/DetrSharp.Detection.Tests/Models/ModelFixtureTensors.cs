using System.Text.Json;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Models;

/// <summary>Fixture tensors as libtorch tensors, and closeness checks of libtorch tensors against fixture values.</summary>
internal static class ModelFixtureTensors
{
    /// <summary>A tensor of the fixture's dtype (float32, float64, int64 or bool) and shape.</summary>
    public static Tensor ToTensor(JsonElement e)
    {
        var f = FixtureTensor.Parse(e);
        return f.DType switch
        {
            "float32" => torch.tensor(f.AsFloat(), f.Shape, device: TestDevice.Current),
            "float64" => torch.tensor(f.Data, f.Shape, device: TestDevice.Current),
            "int64" => torch.tensor(f.AsLong(), f.Shape, device: TestDevice.Current),
            "bool" => torch.tensor(f.AsBool(), f.Shape, device: TestDevice.Current),
            _ => throw new NotSupportedException($"fixture dtype {f.DType}"),
        };
    }

    /// <summary>A state dict from a JSON object of tensors, in the file's key order.</summary>
    public static OrderedDictionary<string, Tensor> StateDict(JsonElement e)
    {
        var sd = new OrderedDictionary<string, Tensor>();
        foreach (var p in e.EnumerateObject()) sd[p.Name] = ToTensor(p.Value);
        return sd;
    }

    /// <summary>Shape equal and values within atol + rtol·|expected| (numpy.allclose).</summary>
    public static void AssertClose(string what, JsonElement expected, Tensor actual, double atol, double rtol)
    {
        var want = FixtureTensor.Parse(expected);
        Assert.Equal(want.Shape, actual.shape);
        using var asDouble = actual.to(ScalarType.Float64);
        // float32 values are written with 9 significant digits, which pin the float exactly (FORMAT.md).
        var expectedValues = want.DType == "float32" ? want.Data.Select(d => (double)(float)d).ToArray() : want.Data;
        Close.All(what, expectedValues, asDouble.data<double>(), atol, rtol);
    }

    /// <summary>Shape and every value equal (integer and bool tensors).</summary>
    public static void AssertEqual(string what, JsonElement expected, Tensor actual)
    {
        var want = FixtureTensor.Parse(expected);
        Assert.Equal(want.Shape, actual.shape);
        using var asDouble = actual.to(ScalarType.Float64);
        Assert.Equal(want.Data, asDouble.data<double>());
    }
}
