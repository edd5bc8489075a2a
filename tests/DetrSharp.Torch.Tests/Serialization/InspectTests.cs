using DetrSharp.Torch.Serialization;
using Xunit;

namespace DetrSharp.Torch.Tests.Serialization;

/// <summary>The pieces of `detrsharp inspect`: dotted leaf keys and tensor statistics.</summary>
public class InspectTests
{
    [Fact]
    public void LeavesHaveDottedKeysFromTheRoot()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(DetrSharp.TestSupport.Fixtures.Root, "torch", "checkpoint_zip_s0.pth");
        var leaves = CheckpointTree.Leaves(torch.load(path)).ToList();
        Assert.Equal("model.backbone.0.body.conv1.weight", leaves[0].Key);
        Assert.IsType<Tensor>(leaves[0].Value);
        Assert.Contains(leaves, l => l.Key == "epoch" && l.Value is 11L);
        Assert.Contains(leaves, l => l.Key == "name" && l.Value is "fixture");
    }

    [Fact]
    public void OptimizerStateAndNamespacesAreEntered()
    {
        var root = new PickleDict
        {
            ["optimizer"] = new PickleDict { ["param_groups"] = new List<object?> { new PickleDict { ["lr"] = 0.1, ["params"] = new List<object?> { 0L, 1L } } } },
            ["args"] = new PickleObject("argparse", "Namespace", [], new PickleDict { ["lr"] = 1e-4 }),
        };
        var leaves = CheckpointTree.Leaves(root).ToDictionary(l => l.Key, l => l.Value);
        Assert.Equal(0.1, leaves["optimizer.param_groups.0.lr"]);
        Assert.IsType<List<object?>>(leaves["optimizer.param_groups.0.params"]);
        Assert.Equal(1e-4, leaves["args.lr"]);
    }

    [Fact]
    public void StatsSkipNonFiniteValues()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(new float[] { 1, float.NaN, -2, float.PositiveInfinity, 4 });
        var s = TensorStats.Of(t);
        Assert.Equal(5, s.Count);
        Assert.Equal(-2, s.Min);
        Assert.Equal(4, s.Max);
        Assert.Equal(1, s.Mean);
        Assert.Equal(2, s.NonFinite);
        var b = TensorStats.Of(torch.tensor(new float[] { 0.5f, 1.5f }).to(ScalarType.BFloat16).t_view_strided());
        Assert.Equal(1.0, b.Mean);
        Assert.Null(TensorStats.Of(torch.empty(new long[] { 0, 3 })).Min);
        var ints = TensorStats.Of(torch.tensor(new long[] { 3, -9, 6 }));
        Assert.Equal(-9, ints.Min);
        Assert.Equal(0, ints.NonFinite);
    }
}

static class StridedExtensions
{
    /// <summary>A non-contiguous view of the same values (every element once), to exercise the contiguous copy.</summary>
    public static Tensor t_view_strided(this Tensor t) => t.as_strided(new[] { t.numel() }, new[] { 1L }, 0);
}
