using DetrSharp.Detection.Dino;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Dino;

/// <summary>
/// DINO-4scale and DINO-5scale R50 built here have exactly the official checkpoint's state_dict keys (in order),
/// shapes and parameter counts (shared heads counted once), and a dict of that layout loads strictly.
/// </summary>
public class DinoStateDictKeysFixtureTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var f in Fixtures.Load("detr", "dino_state_dict_keys"))
            foreach (var variant in f.Expected.EnumerateObject())
                yield return new object[] { f.Name, variant.Name };
    }

    static DinoConfig ConfigFor(string variant) => variant switch
    {
        "dino_4scale_r50" => DinoConfig.FourScale(),
        "dino_5scale_r50" => DinoConfig.FiveScale(),
        _ => throw new NotSupportedException($"no configuration for {variant}"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void KeysShapesAndCountsEqualReferenceAndLoadStrictly(string name, string variant)
    {
        var f = Fixtures.Get("detr", name, "dino_state_dict_keys");
        var expected = f.Expected.GetProperty(variant);
        using var scope = torch.NewDisposeScope();
        using var model = DinoBuilder.Build(ConfigFor(variant));

        var sd = model.state_dict();
        var keys = expected.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToArray();
        var missing = keys.Except(sd.Keys).ToList();
        var extra = sd.Keys.Except(keys).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{variant}: missing {string.Join(", ", missing.Take(10))}; unexpected {string.Join(", ", extra.Take(10))}");
        Assert.Equal(keys, sd.Keys.ToArray());

        var shapes = expected.GetProperty("shapes");
        var official = new Dictionary<string, Tensor>();
        foreach (var key in keys)
        {
            var want = shapes.GetProperty(key).EnumerateArray().Select(x => x.GetInt64()).ToArray();
            Assert.True(want.SequenceEqual(sd[key].shape), $"{variant}: {key} has shape [{string.Join(", ", sd[key].shape)}], expected [{string.Join(", ", want)}]");
            official[key] = torch.zeros(want);
        }

        long parameters = model.parameters().Sum(p => p.numel());
        long trainable = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        Assert.Equal(expected.GetProperty("num_parameters").GetInt64(), parameters);
        Assert.Equal(expected.GetProperty("num_trainable").GetInt64(), trainable);

        // a dict with exactly the official names and shapes loads with strict = true
        var result = model.load_state_dict(official, strict: true);
        Assert.True(result.IsClean, result.ToString());
        Assert.Equal(0, model.Transformer.LevelEmbed.abs().sum().item<float>());
    }
}
