using DetrSharp.Torch;
using DetrSharp.Torch.Modules;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;
using F = DetrSharp.Torch.nn.functional;

namespace DetrSharp.Torch.Tests.Nn;

public class ContainerTests
{
    [Fact]
    public void SequentialNamesAndChains()
    {
        using var seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2));
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, seq.named_parameters().Select(p => p.name));
        Assert.Equal(new[] { "0", "1", "2" }, seq.named_children().Select(c => c.name));
        Assert.Equal(3, seq.Count);
        var first = (Linear)seq[0];
        var last = (Linear)seq[2];
        using var x = torch.randn(5, 3);
        using var y = seq.call(x);
        using var h = F.linear(x, first.weight, first.bias);
        using var r = F.relu(h);
        using var manual = F.linear(r, last.weight, last.bias);
        Close(manual, y, 1e-6);
        Assert.False(x.IsInvalid); // the input stays the caller's

        using var named = nn.Sequential(("fc", nn.Linear(3, 3)), ("act", nn.GELU()));
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, named.named_parameters().Select(p => p.name));
        Assert.Throws<ArgumentException>(() => named.append("fc", nn.Identity()));
        Assert.Throws<ArgumentException>(() => named.append("a.b", nn.Identity()));

        // Empty, or only returning the input: still a tensor the caller owns.
        using var empty = nn.Sequential();
        using var e = empty.call(x);
        Assert.NotSame(x, e);
        Close(x, e, 0);
    }

    [Fact]
    public void SequentialTrainEvalReachesChildren()
    {
        using var seq = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5));
        seq.eval();
        Assert.All(seq, m => Assert.False(m.training));
        seq.train();
        Assert.All(seq, m => Assert.True(m.training));
    }

    /// <summary>A module holding a list and a dict, as DETR's MLP and heads do.</summary>
    sealed class Heads : nn.Module<Tensor, Tensor>
    {
        public readonly ModuleList<Linear> layers;
        public readonly ModuleDict<nn.Module<Tensor, Tensor>> heads;

        public Heads() : base("Heads")
        {
            layers = register_module("layers", nn.ModuleList(nn.Linear(4, 8), nn.Linear(8, 8)));
            layers.append(nn.Linear(8, 4));
            heads = register_module("heads", nn.ModuleDict<nn.Module<Tensor, Tensor>>(("box", nn.Linear(4, 4)), ("cls", nn.Linear(4, 3))));
        }

        public override Tensor forward(Tensor x)
        {
            var h = x.alias();
            for (int i = 0; i < layers.Count; i++)
            {
                using var prev = h;
                using var z = layers[i].call(prev);
                h = i < layers.Count - 1 ? F.relu(z) : z.alias();
            }
            using (h) return heads["cls"].call(h);
        }
    }

    [Fact]
    public void ModuleListAndModuleDict()
    {
        using var m = new Heads();
        Assert.Equal(new[]
        {
            "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias",
            "heads.box.weight", "heads.box.bias", "heads.cls.weight", "heads.cls.bias",
        }, m.named_parameters().Select(p => p.name));
        Assert.Equal(3, m.layers.Count);
        Assert.Equal(new long[] { 4, 8 }, m.layers[2].weight.shape);
        Assert.Equal(new[] { "box", "cls" }, m.heads.Keys);
        Assert.True(m.heads.ContainsKey("box"));
        Assert.False(m.heads.TryGetValue("mask", out _));
        var e = Assert.Throws<KeyNotFoundException>(() => m.heads["mask"]);
        Assert.Contains("box, cls", e.Message);
        Assert.Throws<ArgumentException>(() => m.heads.Add("box", nn.Identity()));

        using var x = torch.randn(2, 4);
        using var y = m.call(x);
        Assert.Equal(new long[] { 2, 3 }, y.shape);

        // Replacing keeps the position (and so the key order).
        var old = m.layers[1];
        m.layers[1] = nn.Linear(8, 8, bias: false);
        old.Dispose();
        Assert.Equal(new[] { "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.2.weight" },
            m.named_parameters().Select(p => p.name).Take(4));
        m.heads["extra"] = nn.Identity();
        Assert.Equal(new[] { "box", "cls", "extra" }, m.heads.Keys);
        Assert.Equal(new[] { "box", "cls", "extra" }, m.heads.Select(kv => kv.Key));
    }
}
