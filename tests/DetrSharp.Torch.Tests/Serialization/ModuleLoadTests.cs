using DetrSharp.Torch.Serialization;
using Xunit;

namespace DetrSharp.Torch.Tests.Serialization;

/// <summary>module.load_state_dict(path): strict and non-strict, missing / unexpected keys and shape mismatches by name.</summary>
public sealed class ModuleLoadTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("detrsharp-module-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    /// <summary>A DETR-flavoured head: class_embed (classes + 1 outputs) and a bbox layer.</summary>
    sealed class Head : nn.Module
    {
        public Head(int classes, bool extra = false) : base("Head")
        {
            var cls = register_module("class_embed", new Leaf(classes + 1, 8));
            register_module("bbox_embed", new Leaf(4, 8));
            if (extra) register_module("extra", new Leaf(2, 2));
        }
    }

    sealed class Leaf : nn.Module
    {
        public Leaf(int outF, int inF) : base("Leaf")
        {
            register_parameter("weight", torch.randn(new long[] { outF, inF }));
            register_parameter("bias", torch.randn(new long[] { outF }));
        }
    }

    string SaveCheckpoint(nn.Module m, bool wrap)
    {
        var path = Path.Combine(dir, wrap ? "ckpt.pth" : "sd.pth");
        var sd = m.state_dict();
        object? obj = wrap ? new Dictionary<string, object?> { ["model"] = sd, ["epoch"] = 3 } : sd;
        torch.save(obj, path);
        foreach (var t in sd.Values) t.Dispose();
        return path;
    }

    static float[] Values(nn.Module m, string name) => m.state_dict()[name].data<float>();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StrictLoadCopiesEverything(bool wrapped)
    {
        using var source = new Head(91);
        using var target = new Head(91);
        var path = SaveCheckpoint(source, wrapped);
        var result = target.load_state_dict(path);
        Assert.True(result.IsClean);
        Assert.Equal(Values(source, "class_embed.weight"), Values(target, "class_embed.weight"));
        Assert.Equal(Values(source, "bbox_embed.bias"), Values(target, "bbox_embed.bias"));
    }

    [Fact]
    public void FineTuningA91ClassCheckpointIntoA3ClassModel()
    {
        using var source = new Head(91);
        using var target = new Head(3, extra: true);
        var path = SaveCheckpoint(source, wrap: true);
        var before = Values(target, "class_embed.weight");

        var strict = Assert.Throws<StateDictMismatchException>(() => target.load_state_dict(path));
        Assert.Contains("class_embed.weight", strict.Message);
        Assert.Contains("extra.weight", strict.Message);
        Assert.Equal(before, Values(target, "class_embed.weight"));   // strict loads nothing

        var result = target.load_state_dict(path, strict: false);
        Assert.Equal(new[] { "extra.weight", "extra.bias" }, result.missing_keys);
        Assert.Empty(result.unexpected_keys);
        Assert.Equal(2, result.shape_mismatches.Count);
        Assert.Contains(result.shape_mismatches, s => s.StartsWith("class_embed.weight"));
        Assert.Equal(before, Values(target, "class_embed.weight"));
        Assert.Equal(Values(source, "bbox_embed.weight"), Values(target, "bbox_embed.weight"));
    }

    [Fact]
    public void UnexpectedKeysAreNamed()
    {
        using var source = new Head(3, extra: true);
        using var target = new Head(3);
        var path = SaveCheckpoint(source, wrap: false);
        var result = target.load_state_dict(path, strict: false);
        Assert.Equal(new[] { "extra.weight", "extra.bias" }, result.unexpected_keys);
        Assert.Throws<StateDictMismatchException>(() => target.load_state_dict(path));
    }

    [Fact]
    public void FileWithoutAStateDictIsNamed()
    {
        var path = Path.Combine(dir, "numbers.pth");
        torch.save(new Dictionary<string, object?> { ["epoch"] = 1 }, path);
        using var target = new Head(3);
        var e = Assert.Throws<InvalidDataException>(() => target.load_state_dict(path));
        Assert.Contains("numbers.pth", e.Message);
        Assert.Contains("'epoch'", e.Message);
    }
}
