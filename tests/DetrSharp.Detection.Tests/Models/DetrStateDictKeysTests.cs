using DetrSharp.Detection.Models;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Models;

/// <summary>
/// DETR-R50, R50-DC5 and R101 built by DetrSharp with the reference's defaults have exactly the reference's
/// state_dict keys (in order) and shapes, and its parameter and trainable-parameter counts.
/// </summary>
public class DetrStateDictKeysTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var f in Fixtures.Load("detr", "detr_state_dict_keys"))
            foreach (var variant in f.Expected.EnumerateObject())
                yield return new object[] { f.Name, variant.Name };
    }

    static DetrConfig ConfigFor(string variant) => variant switch
    {
        "detr_r50" => DetrConfig.Reference,
        "detr_r50_dc5" => DetrConfig.Reference with { Dilation = true },
        "detr_r101" => DetrConfig.Reference with { Backbone = "resnet101" },
        _ => throw new NotSupportedException($"no configuration for {variant}"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void KeysShapesAndCountsEqualReference(string name, string variant)
    {
        var f = Fixtures.Get("detr", name, "detr_state_dict_keys");
        var expected = f.Expected.GetProperty(variant);
        using var scope = torch.NewDisposeScope();
        using var model = DetrBuilder.Build(ConfigFor(variant));

        var sd = model.state_dict();
        var keys = expected.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToArray();
        var missing = keys.Except(sd.Keys).ToList();
        var extra = sd.Keys.Except(keys).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{variant}: missing {string.Join(", ", missing.Take(10))}; unexpected {string.Join(", ", extra.Take(10))}");
        Assert.Equal(keys, sd.Keys.ToArray());

        var shapes = expected.GetProperty("shapes");
        foreach (var key in keys)
        {
            var want = shapes.GetProperty(key).EnumerateArray().Select(x => x.GetInt64()).ToArray();
            Assert.True(want.SequenceEqual(sd[key].shape), $"{variant}: {key} has shape [{string.Join(", ", sd[key].shape)}], expected [{string.Join(", ", want)}]");
        }

        long parameters = model.parameters().Sum(p => p.numel());
        long trainable = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        Assert.Equal(expected.GetProperty("num_parameters").GetInt64(), parameters);
        Assert.Equal(expected.GetProperty("num_trainable").GetInt64(), trainable);
    }

    [Fact]
    public void DilatedLayer4HasStrideOneAndDilationTwo()
    {
        using var body = new ResNet(ResNetDepth.ResNet50, new[] { false, false, true });
        var layer4 = (DetrSharp.Torch.Modules.Sequential)body.get_submodule("layer4")!;
        var first = (DetrSharp.Torch.Modules.Conv2d)body.get_submodule("layer4.0.conv2")!;
        var second = (DetrSharp.Torch.Modules.Conv2d)body.get_submodule("layer4.1.conv2")!;
        var down = (DetrSharp.Torch.Modules.Conv2d)body.get_submodule("layer4.0.downsample.0")!;
        Assert.Equal(3, layer4.Count);
        Assert.Equal(new long[] { 1, 1 }, first.stride);
        Assert.Equal(new long[] { 1, 1 }, first.dilation);   // the first block keeps the previous dilation
        Assert.Equal(new long[] { 2, 2 }, second.dilation);
        Assert.Equal(new long[] { 2, 2 }, second.padding);
        Assert.Equal(new long[] { 1, 1 }, down.stride);
    }
}
