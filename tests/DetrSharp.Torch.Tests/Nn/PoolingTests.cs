using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;
using F = DetrSharp.Torch.nn.functional;

namespace DetrSharp.Torch.Tests.Nn;

public class PoolingTests
{
    static Tensor Range(int h, int w) => torch.arange(0.0, h * w, ScalarType.Float64).view(1, 1, h, w);

    [Fact]
    public void MaxPool2d()
    {
        using var x = Range(4, 4);
        using var k2 = F.max_pool2d(x, new long[] { 2 });
        Close(new double[] { 5, 7, 13, 15 }, k2, 0, new long[] { 1, 1, 2, 2 });
        using var k3 = F.max_pool2d(x, new long[] { 3 }, new long[] { 1 });
        Close(new double[] { 10, 11, 14, 15 }, k3, 0);
        // Padding 1 (as -inf), kernel 2, stride 2: 3x3 windows straddling the border.
        using var padded = F.max_pool2d(x, new long[] { 2, 2 }, new long[] { 2, 2 }, new long[] { 1, 1 });
        Close(new double[] { 0, 2, 3, 8, 10, 11, 12, 14, 15 }, padded, 0, new long[] { 1, 1, 3, 3 });
        // 3x3 input, kernel 2 stride 2: floor gives one window, ceil_mode a partial second one.
        using var odd = Range(3, 3);
        using var floor = F.max_pool2d(odd, new long[] { 2 });
        Close(new double[] { 4 }, floor, 0, new long[] { 1, 1, 1, 1 });
        using var ceil = F.max_pool2d(odd, new long[] { 2 }, ceil_mode: true);
        Close(new double[] { 4, 5, 7, 8 }, ceil, 0, new long[] { 1, 1, 2, 2 });
        using var flat = x.view(4, 4);
        Assert.Throws<ArgumentException>(() => F.max_pool2d(flat, new long[] { 2 }));
    }

    [Fact]
    public void AdaptiveAvgPool2d()
    {
        using var x = Range(4, 4);
        using var two = F.adaptive_avg_pool2d(x, new long[] { 2 });
        Close(new[] { 2.5, 4.5, 10.5, 12.5 }, two, 1e-12, new long[] { 1, 1, 2, 2 });
        using var one = F.adaptive_avg_pool2d(x, new long[] { 1, 1 });
        Close(new[] { 7.5 }, one, 1e-12);
        // 3 → 2: overlapping windows [0, 2) and [1, 3).
        using var odd = Range(3, 3);
        using var o = F.adaptive_avg_pool2d(odd, new long[] { 2, 2 });
        Close(new double[] { 2, 3, 5, 6 }, o, 1e-12);
        using var rect = F.adaptive_avg_pool2d(x, new long[] { 1, 2 });
        Close(new double[] { 6.5, 8.5 }, rect, 1e-12);
    }

    [Fact]
    public void PoolingModules()
    {
        using var x = Range(4, 4);
        using var mp = nn.MaxPool2d(2);
        using var y = mp.call(x);
        Close(new double[] { 5, 7, 13, 15 }, y, 0);
        Assert.Equal(new long[] { 2, 2 }, mp.stride);
        using var mp2 = nn.MaxPool2d(3, stride: 1);
        using var y2 = mp2.call(x);
        Close(new double[] { 10, 11, 14, 15 }, y2, 0);
        using var ap = nn.AdaptiveAvgPool2d((1, 2));
        using var a = ap.call(x);
        Close(new double[] { 6.5, 8.5 }, a, 1e-12, new long[] { 1, 1, 1, 2 });
        using var ap1 = nn.AdaptiveAvgPool2d(1);
        using var a1 = ap1.call(x);
        Close(new[] { 7.5 }, a1, 1e-12);
        Assert.Throws<ArgumentException>(() => nn.AdaptiveAvgPool2d(0));
    }
}
