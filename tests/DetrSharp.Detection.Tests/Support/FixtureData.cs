using System.Text.Json;
using DetrSharp.Detection.Matching;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Support;

/// <summary>Reads fixture JSON into tensors and compares tensors with expected values.</summary>
internal static class FixtureData
{
    static readonly Dictionary<string, Fixture> Cache = new();

    /// <summary>The named fixture under tests/fixtures/detr (parsed once per test run).</summary>
    public static Fixture Get(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var f))
            {
                foreach (var x in Fixtures.Load("detr")) Cache[x.Name] = x;
                f = Cache[name];
            }
            return f;
        }
    }

    /// <summary>A fixture tensor as a libtorch tensor of its dtype.</summary>
    public static Tensor Tensor(JsonElement e, bool requiresGrad = false)
    {
        var ft = FixtureTensor.Parse(e);
        return ft.DType switch
        {
            "int64" => torch.tensor(ft.AsLong(), ft.Shape, device: TestDevice.Current),
            "bool" => torch.tensor(ft.AsBool(), ft.Shape, device: TestDevice.Current),
            "float64" => torch.tensor(ft.Data, ft.Shape, device: TestDevice.Current, requires_grad: requiresGrad),
            _ => torch.tensor(ft.AsFloat(), ft.Shape, device: TestDevice.Current, requires_grad: requiresGrad),
        };
    }

    /// <summary>The targets list: [{labels, boxes}, ...].</summary>
    public static List<DetectionTarget> Targets(JsonElement e)
        => e.EnumerateArray().Select(t => new DetectionTarget(Tensor(t.GetProperty("labels")), Tensor(t.GetProperty("boxes")))).ToList();

    /// <summary>Tolerance for a key: tolerance.per_key[key] when present, else the top-level one.</summary>
    public static (double Atol, double Rtol) Tolerance(Fixture f, string key)
    {
        if (f.Root.TryGetProperty("tolerance", out var t) && t.TryGetProperty("per_key", out var pk) && pk.TryGetProperty(key, out var k))
            return (k.GetProperty("atol").GetDouble(), k.GetProperty("rtol").GetDouble());
        return (f.Atol, f.Rtol);
    }

    /// <summary>Asserts the tensor has the expected shape and values (numpy.allclose, NaN equal to NaN).</summary>
    public static void AssertClose(string what, JsonElement expected, Tensor actual, double atol, double rtol)
    {
        var e = FixtureTensor.Parse(expected);
        Assert.True(e.Shape.SequenceEqual(actual.shape),
            $"{what}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", e.Shape)}]");
        using var d = actual.detach().to(ScalarType.Float64, Device.CPU);
        Close.All(what, e.Data, d.data<double>(), atol, rtol);
    }

    /// <summary>Asserts a matching equals the expected {src, tgt} list.</summary>
    public static void AssertIndices(string what, JsonElement expected, ImageMatch[] actual)
    {
        var list = expected.EnumerateArray().ToList();
        Assert.Equal(list.Count, actual.Length);
        for (int b = 0; b < list.Count; b++)
        {
            var src = FixtureTensor.Parse(list[b].GetProperty("src")).AsLong();
            var tgt = FixtureTensor.Parse(list[b].GetProperty("tgt")).AsLong();
            Assert.True(src.SequenceEqual(actual[b].Src), $"{what}[{b}].src: got [{string.Join(", ", actual[b].Src)}], expected [{string.Join(", ", src)}]");
            Assert.True(tgt.SequenceEqual(actual[b].Tgt), $"{what}[{b}].tgt: got [{string.Join(", ", actual[b].Tgt)}], expected [{string.Join(", ", tgt)}]");
        }
    }

    /// <summary>Whether the fixture says its cost matrices have exact ties.</summary>
    public static bool Ties(Fixture f) => f.Root.TryGetProperty("ties", out var t) && t.ValueKind == JsonValueKind.True;
}
