using System.Globalization;
using System.Text.Json;
using DetrSharp.Torch.Serialization;
using DetrSharp.TestSupport;
using Xunit;

namespace DetrSharp.Torch.Tests.Serialization;

/// <summary>
/// Every .pth file Python's torch.save wrote (zip and legacy) loads to exactly the fixture's values, with its
/// key order, dtypes, strides and shared storages.
/// </summary>
public class TorchFixtureLoadTests
{
    public static IEnumerable<object[]> Cases() => TorchFixtureFiles.Rows();

    [Theory]
    [MemberData(nameof(Cases))]
    public void LoadsExactly(string fixture, string file)
    {
        var (f, path) = TorchFixtureFiles.Get(fixture, file);
        using var scope = torch.NewDisposeScope();
        var root = torch.load(path);
        CheckAgainst(f, root, $"{fixture}:{file}");
    }

    /// <summary>Checks a loaded object (checkpoint or bare state dict) against the fixture's expectations.</summary>
    internal static void CheckAgainst(Fixture f, object? root, string what)
    {
        var top = Assert.IsType<PickleDict>(root);
        PickleDict model = top;
        if (top.TryGetValue("model", out var m) && m is PickleDict md)
        {
            model = md;
            foreach (var p in TorchFixtureFiles.ExpectedScalars(f))
            {
                Assert.True(top.ContainsKey(p.Name), $"{what}: no top-level '{p.Name}'");
                AssertScalar(p.Value, top[p.Name], $"{what}: {p.Name}");
            }
        }
        var keys = f.Expected.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToArray();
        Assert.Equal(keys, model.Keys.Cast<string>().ToArray());

        var tensors = f.Expected.GetProperty("tensors");
        var strides = f.Expected.GetProperty("strides");
        foreach (var key in keys)
        {
            var t = Assert.IsType<Tensor>(model[key]);
            var want = FixtureTensor.Parse(tensors.GetProperty(key));
            Assert.Equal(want.Shape, t.shape);
            Assert.Equal(want.DType, t.dtype.Name());
            Assert.Equal(strides.GetProperty(key).EnumerateArray().Select(x => x.GetInt64()).ToArray(), t.stride());
            using var asDouble = t.to(ScalarType.Float64);
            // The fixture writes floats with 9 significant digits: that pins a float32 exactly; a float64 is
            // compared at those 9 digits.
            var expected = want.DType == "float32" ? want.Data.Select(d => (double)(float)d).ToArray() : want.Data;
            var actual = asDouble.data<double>();
            if (want.DType == "float64")
                actual = actual.Select(d => double.Parse(d.ToString("G9", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)).ToArray();
            Close.All($"{what}: {key}", expected, actual, 0, 0);
        }

        // Views of one storage in Python share one storage here.
        foreach (var group in keys.GroupBy(k => k.Split('.')[0]).Where(g => g.Key == "shared"))
        {
            var ptrs = group.Select(k => ((Tensor)model[k]!).untyped_storage_ptr()).Distinct().ToList();
            Assert.Single(ptrs);
        }
    }

    static void AssertScalar(JsonElement want, object? got, string what)
    {
        switch (want.ValueKind)
        {
            case JsonValueKind.String: Assert.Equal(want.GetString(), got); break;
            case JsonValueKind.True: Assert.Equal(true, got); break;
            case JsonValueKind.False: Assert.Equal(false, got); break;
            case JsonValueKind.Null: Assert.Null(got); break;
            case JsonValueKind.Number:
                if (want.TryGetInt64(out long l) && got is long) Assert.Equal(l, got);
                else Assert.Equal(want.GetDouble(), Convert.ToDouble(got));
                break;
            default: break; // nested values are not compared here
        }
    }

    [Fact]
    public void FixturesAreFound()
    {
        Assert.NotEmpty(Cases());
    }

    [Fact]
    public void LegacyAndZipGiveTheSameTree()
    {
        foreach (var f in Fixtures.Load(TorchFixtureFiles.Folder, TorchFixtureFiles.Kind))
        {
            var files = TorchFixtureFiles.Files(f).ToList();
            using var scope = torch.NewDisposeScope();
            foreach (var (label, path) in files)
            {
                using var cf = CheckpointFile.Open(path);
                Assert.Equal(label.Contains("legacy") ? CheckpointFormat.Legacy : CheckpointFormat.Zip, cf.Format);
            }
        }
    }
}
