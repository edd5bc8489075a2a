using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;
using F = DetrSharp.Torch.nn.functional;

namespace DetrSharp.Torch.Tests.Nn;

[Collection(GlobalGenerator.Collection)]
public class DropoutTests
{
    [Fact]
    public void FunctionalDropoutZeroesAndRescales()
    {
        torch.manual_seed(3);
        using var x = torch.ones(new long[] { 10000 }, ScalarType.Float64);
        using var y = F.dropout(x, 0.25, training: true);
        var v = Values(y);
        Assert.All(v, e => Assert.True(e == 0 || Math.Abs(e - 1 / 0.75) < 1e-12, $"unexpected value {e}"));
        double dropped = v.Count(e => e == 0) / (double)v.Length;
        Assert.InRange(dropped, 0.22, 0.28);
        // Seeded: the same mask again.
        torch.manual_seed(3);
        using var y2 = F.dropout(x, 0.25, training: true);
        Assert.Equal(v, Values(y2));
        // Not training, p = 0: unchanged; p = 1: all zero.
        using var eval = F.dropout(x, 0.25, training: false);
        Close(Values(x), eval, 0);
        using var p0 = F.dropout(x, 0.0);
        Close(Values(x), p0, 0);
        using var p1 = F.dropout(x, 1.0);
        Assert.All(Values(p1), e => Assert.Equal(0, e));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.dropout(x, 1.5));
    }

    [Fact]
    public void InPlaceDropoutReturnsInput()
    {
        torch.manual_seed(5);
        using var x = torch.ones(new long[] { 100 });
        var y = F.dropout(x, 0.5, training: true, inplace: true);
        Assert.Same(x, y);
        Assert.Contains(0f, x.data<float>());
    }

    [Fact]
    public void DropoutModuleFollowsTrainEval()
    {
        using var drop = nn.Dropout(0.5);
        Assert.True(drop.training);
        using var x = torch.ones(new long[] { 1000 }, ScalarType.Float64);
        using (var y = drop.call(x))
        {
            var v = Values(y);
            Assert.Contains(0.0, v);
            Assert.Contains(2.0, v);
        }
        drop.eval();
        Assert.False(drop.training);
        using (var y = drop.call(x))
        {
            Assert.NotSame(x, y);
            Close(Values(x), y, 0);
        }
        drop.train();
        using (var y = drop.call(x)) Assert.Contains(0.0, Values(y));
        Assert.Throws<ArgumentOutOfRangeException>(() => nn.Dropout(-0.1));
    }
}
