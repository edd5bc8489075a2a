using System.Text.Json;
using DetrSharp.Detection.Yolo;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>
/// Kind yolo_state_dict_keys: every model in the fixture, built from the shipped YAML with the fixture's
/// nc, has exactly ultralytics' state-dict keys (in order), shapes, parameter count and strides.
/// </summary>
public class YoloStateDictKeysFixtureTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var f in Fixtures.Load("yolo", "yolo_state_dict_keys"))
            foreach (var model in f.Expected.EnumerateObject())
                yield return new object[] { f.Name, model.Name };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(string name, string modelName)
    {
        var f = YoloFixtureData.Get(name);
        var e = f.Expected.GetProperty(modelName);
        long nc = f.Params.GetProperty("nc").GetInt64();
        using var scope = torch.NewDisposeScope();
        using var model = YoloModel.Build(modelName, nc);
        var sd = model.state_dict();

        var expectedKeys = e.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToList();
        var missing = expectedKeys.Except(sd.Keys).ToList();
        var extra = sd.Keys.Except(expectedKeys).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{modelName}: missing [{string.Join(", ", missing.Take(10))}] ({missing.Count}), unexpected [{string.Join(", ", extra.Take(10))}] ({extra.Count})");
        Assert.Equal(expectedKeys, sd.Keys.ToList());

        var shapes = e.GetProperty("shapes");
        foreach (var key in expectedKeys)
        {
            var want = shapes.GetProperty(key).EnumerateArray().Select(v => v.GetInt64()).ToArray();
            Assert.True(want.SequenceEqual(sd[key].shape), $"{modelName} {key}: shape [{string.Join(", ", sd[key].shape)}], expected [{string.Join(", ", want)}]");
        }

        long parameters = model.parameters().Sum(p => p.numel());
        Assert.Equal(e.GetProperty("num_parameters").GetInt64(), parameters);
        var strides = e.GetProperty("stride").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(strides, model.Strides.ToArray());
        Assert.Equal(nc, model.NumClasses);
    }
}
