using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Nn;

/// <summary>channels_last: a tensor's NHWC layout, and module.to(memory_format) relaying out only 4-D weights.</summary>
public class ChannelsLastTests
{
    [Fact]
    public void ContiguousChannelsLastGivesNhwcStridesAndTheSameValues()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(2 * 3 * 4 * 5).to(ScalarType.Float32).view(2, 3, 4, 5);
        var y = x.contiguous(MemoryFormat.ChannelsLast);
        Assert.Equal(new long[] { 2, 3, 4, 5 }, y.shape);
        Assert.Equal(new long[] { 60, 1, 15, 3 }, y.stride());
        Assert.True(torch.equal(x, y));
        Assert.Equal(new long[] { 60, 20, 5, 1 }, y.contiguous(MemoryFormat.Contiguous).stride());
    }

    [Fact]
    public void ModuleToChannelsLastRelaysOutConvWeightsOnlyAndComputesTheSame()
    {
        using var scope = torch.NewDisposeScope();
        using var seq = nn.Sequential(("conv", nn.Conv2d(3, 4, 3, padding: 1)), ("act", nn.ReLU()));
        using var fc = nn.Linear(6, 2);
        var x = torch.randn(2, 3, 6, 6);
        var before = seq.forward(x);
        seq.to(MemoryFormat.ChannelsLast);
        fc.to(MemoryFormat.ChannelsLast);
        var conv = seq.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(new long[] { 27, 1, 9, 3 }, conv["conv.weight"].stride());
        Assert.True(conv["conv.weight"].requires_grad);
        Assert.Equal(new long[] { 1 }, conv["conv.bias"].stride());
        Assert.Equal(new long[] { 6, 1 }, fc.named_parameters().First(p => p.name == "weight").parameter.stride());
        var after = seq.forward(x.contiguous(MemoryFormat.ChannelsLast));
        Assert.True(torch.allclose(before, after, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void SuggestMemoryFormatReadsTheStridesAndToLayoutOfFollowsTheWeight()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 3, 4, 5);
        var nhwc = x.contiguous(MemoryFormat.ChannelsLast);
        Assert.Equal(MemoryFormat.Contiguous, x.suggest_memory_format());
        Assert.Equal(MemoryFormat.ChannelsLast, nhwc.suggest_memory_format());
        // one channel, or a 1×1 kernel: both layouts have the same strides, which read as contiguous (as ATen's)
        Assert.Equal(MemoryFormat.Contiguous, torch.randn(2, 1, 4, 5).contiguous(MemoryFormat.ChannelsLast).suggest_memory_format());
        Assert.Equal(MemoryFormat.Contiguous, torch.randn(8, 3, 1, 1).contiguous(MemoryFormat.ChannelsLast).suggest_memory_format());
        Assert.Equal(MemoryFormat.Contiguous, torch.randn(3, 4).suggest_memory_format());

        var weight = torch.randn(6, 3, 3, 3);
        Assert.Null(x.to_layout_of(weight));                                   // NCHW weight: the input as it is
        var converted = x.to_layout_of(weight.contiguous(MemoryFormat.ChannelsLast));
        Assert.NotNull(converted);
        Assert.Equal(new long[] { 60, 1, 15, 3 }, converted!.stride());
        Assert.True(torch.equal(x, converted));
        Assert.Null(nhwc.to_layout_of(weight.contiguous(MemoryFormat.ChannelsLast)));  // already channels_last
    }
}
