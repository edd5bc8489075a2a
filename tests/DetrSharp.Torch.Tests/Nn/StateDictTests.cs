using DetrSharp.TestSupport;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;

namespace DetrSharp.Torch.Tests.Nn;

[Collection(GlobalGenerator.Collection)]
public class StateDictTests
{
    /// <summary>conv → bn → relu → pool → flatten → fc, with PyTorch-style names.</summary>
    sealed class Net : nn.Module<Tensor, Tensor>
    {
        readonly Sequential body;
        readonly Linear fc;

        public Net(long classes = 3) : base("Net")
        {
            body = register_module("body", nn.Sequential(nn.Conv2d(2, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1)));
            fc = register_module("fc", nn.Linear(4, classes));
        }

        public override Tensor forward(Tensor x)
        {
            using var h = body.call(x);          // [N, 4, 1, 1]
            using var f = h.flatten(1);          // [N, 4]
            return fc.call(f);                   // [N, classes]
        }
    }

    static readonly string[] NetKeys =
    {
        "body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias", "body.1.running_mean", "body.1.running_var",
        "body.1.num_batches_tracked", "fc.weight", "fc.bias",
    };

    static void DisposeAll(IEnumerable<Tensor> ts)
    {
        foreach (var t in ts) t.Dispose();
    }

    [Fact]
    public void RoundTripBetweenTwoModules()
    {
        torch.manual_seed(1);
        using var a = new Net();
        using var x = torch.randn(2, 2, 5, 5);
        using (a.call(x)) { } // train-mode step: running stats and batch count move away from their init
        torch.manual_seed(2);
        using var b = new Net();

        var sd = a.state_dict();
        Assert.Equal(NetKeys, sd.Keys);
        var result = b.load_state_dict(sd);
        Assert.True(result.IsClean);
        DisposeAll(sd.Values);

        var sa = a.state_dict();
        var sb = b.state_dict();
        foreach (var k in NetKeys) Assert.Equal(Values(sa[k]), Values(sb[k]));
        Assert.Equal(1L, sb["body.1.num_batches_tracked"].item<long>());
        DisposeAll(sa.Values);
        DisposeAll(sb.Values);

        a.eval();
        b.eval();
        using var ya = a.call(x);
        using var yb = b.call(x);
        Close(ya, yb, 0);
        // The loaded module's parameters are its own: still leaves requiring grad.
        Assert.All(b.parameters(), p => Assert.True(p.requires_grad && p.is_leaf));
    }

    [Fact]
    public void StrictLoadReportsEveryProblemAndLoadsNothing()
    {
        using var a = new Net(classes: 5); // fc is [5, 4]: a shape mismatch with [3, 4]
        using var b = new Net();
        var sd = a.state_dict();
        using var extra = torch.zeros(3);
        sd["head.extra"] = extra.alias();
        var removed = sd["body.0.bias"];
        sd.Remove("body.0.bias");
        removed.Dispose();

        var before = Values(b.get_submodule("body.0")!.get_parameter("weight")!);
        var e = Assert.Throws<StateDictMismatchException>(() => b.load_state_dict(sd));
        Assert.Equal(new[] { "body.0.bias" }, e.Result.missing_keys);
        Assert.Equal(new[] { "head.extra" }, e.Result.unexpected_keys);
        Assert.Equal(2, e.Result.shape_mismatches.Count);
        Assert.Contains(e.Result.shape_mismatches, m => m.StartsWith("fc.weight") && m.Contains("[5, 4]") && m.Contains("[3, 4]"));
        Assert.Contains("body.0.bias", e.Message);
        // Nothing was loaded.
        Assert.Equal(before, Values(b.get_submodule("body.0")!.get_parameter("weight")!));

        // Non-strict: everything that fits is loaded, the rest reported.
        var r = b.load_state_dict(sd, strict: false);
        Assert.False(r.IsClean);
        Assert.Equal(new[] { "body.0.bias" }, r.missing_keys);
        Assert.Equal(new[] { "head.extra" }, r.unexpected_keys);
        Assert.Equal(Values(sd["body.0.weight"]), Values(b.get_submodule("body.0")!.get_parameter("weight")!));
        Assert.Equal(new long[] { 3, 4 }, b.get_submodule("fc")!.get_parameter("weight")!.shape); // mismatched: left alone
        DisposeAll(sd.Values);
    }

    [Fact]
    public void FrozenBatchNormLoadsBatchNormCheckpointDroppingBatchCount()
    {
        // A torchvision-style BatchNorm2d checkpoint has num_batches_tracked; DETR's FrozenBatchNorm2d drops it.
        using var bn = nn.BatchNorm2d(3, dtype: ScalarType.Float64);
        using (torch.no_grad())
        {
            bn.weight!.fill_(2.0);
            bn.running_mean!.fill_(1.0);
            bn.running_var!.fill_(4.0);
        }
        var sd = bn.state_dict();
        Assert.Contains("num_batches_tracked", sd.Keys);
        using var frozen = nn.FrozenBatchNorm2d(3, dtype: ScalarType.Float64);
        var r = frozen.load_state_dict(sd); // strict: must not complain
        Assert.True(r.IsClean);
        DisposeAll(sd.Values);
        Close(new double[] { 2, 2, 2 }, frozen.weight, 0);
        Close(new double[] { 4, 4, 4 }, frozen.running_var, 0);

        // Nested: the key is dropped where its owner is a FrozenBatchNorm2d, and only there.
        using var seq = nn.Sequential(nn.FrozenBatchNorm2d(3, dtype: ScalarType.Float64));
        var nested = new OrderedDictionary<string, Tensor>();
        var own = seq.state_dict();
        foreach (var (k, v) in own) nested[k] = v;
        nested["0.num_batches_tracked"] = torch.tensor(5L);
        nested["num_batches_tracked"] = torch.tensor(5L);
        var e = Assert.Throws<StateDictMismatchException>(() => seq.load_state_dict(nested));
        Assert.Equal(new[] { "num_batches_tracked" }, e.Result.unexpected_keys);
        DisposeAll(nested.Values);

        // The eval output is the BatchNorm2d eval output.
        bn.eval();
        using var x = torch.randn(new long[] { 2, 3, 4, 4 }, ScalarType.Float64);
        using var yb = bn.call(x);
        using var yf = frozen.call(x);
        Close(yb, yf, 1e-12);
    }

    [Fact]
    public void ToConvertsParametersAndBuffers()
    {
        using var net = new Net();
        net.to(ScalarType.Float64);
        Assert.All(net.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        var bn = (BatchNorm2d)net.get_submodule("body.1")!;
        Assert.Equal(ScalarType.Float64, bn.running_mean!.dtype);
        Assert.Equal(ScalarType.Int64, bn.num_batches_tracked!.dtype); // integer buffers keep their dtype
        using var x = torch.randn(new long[] { 2, 2, 5, 5 }, ScalarType.Float64);
        using var y = net.call(x); // properties read the converted tensors
        Assert.Equal(ScalarType.Float64, y.dtype);
    }
}
