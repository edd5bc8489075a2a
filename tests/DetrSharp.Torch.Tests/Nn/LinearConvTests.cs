using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;
using F = DetrSharp.Torch.nn.functional;

namespace DetrSharp.Torch.Tests.Nn;

[Collection(GlobalGenerator.Collection)]
public class LinearConvTests
{
    [Fact]
    public void LinearFunctional()
    {
        using var x = T(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        using var w = T(new[] { 1, 0, -1, 0.5, 0.5, 0.5 }, 2, 3);
        using var b = T(new double[] { 1, -1 });
        using var y = F.linear(x, w, b);
        Close(new[] { -1, 2, -1, 6.5 }, y, 1e-12, new long[] { 2, 2 });
        using var y0 = F.linear(x, w);
        Close(new[] { -2, 3, -2, 7.5 }, y0, 1e-12);
        // Leading dims are kept: [2, 1, 3] → [2, 1, 2].
        using var x3 = x.view(2, 1, 3);
        using var y3 = F.linear(x3, w, b);
        Assert.Equal(new long[] { 2, 1, 2 }, y3.shape);
        using var bad = T(new double[] { 1, 2 }, 1, 2);
        var e = Assert.Throws<ArgumentException>(() => F.linear(bad, w, b));
        Assert.Contains("in_features = 3", e.Message);
    }

    [Fact]
    public void Conv2dFunctional()
    {
        using var x = T(Enumerable.Range(1, 9).Select(v => (double)v).ToArray(), 1, 1, 3, 3);
        using var w = T(new double[] { 1, 0, 0, -1 }, 1, 1, 2, 2);
        // out[i, j] = x[i, j] - x[i + 1, j + 1] = -4 everywhere.
        using var y = F.conv2d(x, w);
        Close(new double[] { -4, -4, -4, -4 }, y, 1e-12, new long[] { 1, 1, 2, 2 });
        using var b = T(new[] { 0.5 });
        using var yb = F.conv2d(x, w, b);
        Close(new[] { -3.5, -3.5, -3.5, -3.5 }, yb, 1e-12);
        // Zero padding 1, stride 2: windows at padded (0,0), (0,2), (2,0), (2,2).
        using var ys = F.conv2d(x, w, null, stride: new long[] { 2 }, padding: new long[] { 1 });
        Close(new double[] { -1, -3, -7, -4 }, ys, 1e-12, new long[] { 1, 1, 2, 2 });
        // Dilation 2 with a 2x2 kernel of ones: the four corners.
        using var ones = torch.ones(new long[] { 1, 1, 2, 2 }, ScalarType.Float64);
        using var yd = F.conv2d(x, ones, null, dilation: new long[] { 2, 2 });
        Close(new double[] { 1 + 3 + 7 + 9 }, yd, 1e-12, new long[] { 1, 1, 1, 1 });
        // Groups: each channel scaled by its own 1x1 kernel.
        using var xg = T(new double[] { 2, 3 }, 1, 2, 1, 1);
        using var wg = T(new double[] { 10, 100 }, 2, 1, 1, 1);
        using var yg = F.conv2d(xg, wg, null, groups: 2);
        Close(new double[] { 20, 300 }, yg, 1e-12);
        // Unbatched [C, H, W] input.
        using var xu = x.view(1, 3, 3);
        using var yu = F.conv2d(xu, w);
        Assert.Equal(new long[] { 1, 2, 2 }, yu.shape);
        Assert.Throws<ArgumentException>(() => F.conv2d(xg, wg)); // 2 channels, weight expects 1
        Assert.Throws<ArgumentException>(() => F.conv2d(x, w, null, stride: new long[] { 1, 1, 1 }));
    }

    [Fact]
    public void LinearModule()
    {
        torch.manual_seed(7);
        using var fc = nn.Linear(4, 3);
        Assert.Equal(new[] { "weight", "bias" }, fc.named_parameters().Select(p => p.name));
        Assert.Equal(new long[] { 3, 4 }, fc.weight.shape);
        Assert.Equal(new long[] { 3 }, fc.bias!.shape);
        Assert.True(fc.weight.requires_grad);
        // PyTorch's default init: kaiming_uniform_(a = √5) and bias U(±1/√in): both within ±1/2 here.
        Assert.All(Values(fc.weight), v => Assert.InRange(v, -0.5, 0.5));
        Assert.All(Values(fc.bias), v => Assert.InRange(v, -0.5, 0.5));
        Assert.True(Values(fc.weight).Select(Math.Abs).Max() > 0.3); // spread over the range, not collapsed
        // Same seed, same parameters.
        torch.manual_seed(7);
        using var fc2 = nn.Linear(4, 3);
        Assert.Equal(Values(fc.weight), Values(fc2.weight));
        Assert.Equal(Values(fc.bias), Values(fc2.bias!));

        using var x = torch.randn(5, 4);
        using var y = fc.call(x);
        using var manual = x.matmul(fc.weight.t()).add(fc.bias);
        Close(manual, y, 1e-6);

        using var noBias = nn.Linear(4, 2, bias: false);
        Assert.Null(noBias.bias);
        Assert.Equal(new[] { "weight" }, noBias.named_parameters().Select(p => p.name));
    }

    [Fact]
    public void LinearInitDrawsLikePyTorch()
    {
        // PyTorch: torch.manual_seed(0); nn.Linear(4, 3).weight[0] = [-0.0037, 0.2682, -0.4115, -0.3680].
        torch.manual_seed(0);
        using var fc = nn.Linear(4, 3);
        Close(new[] { -0.0037, 0.2682, -0.4115, -0.3680 }, fc.weight.select(0, 0), 1e-4);
        // The weight takes the first 12 uniform draws, the bias the next 3, both mapped to U(-1/2, 1/2).
        torch.manual_seed(0);
        using var u = torch.rand(15);
        using var expected = u.sub(0.5);
        using var w = fc.weight.flatten();
        using var both = torch.cat(new[] { w, fc.bias! });
        Close(expected, both, 1e-6);
    }

    [Fact]
    public void Conv2dModule()
    {
        using var conv = nn.Conv2d(4, 6, (3, 1), stride: (2, 1), padding: (1, 0), groups: 2);
        Assert.Equal(new[] { "weight", "bias" }, conv.named_parameters().Select(p => p.name));
        Assert.Equal(new long[] { 6, 2, 3, 1 }, conv.weight.shape);
        // fan_in = 2 * 3 * 1 = 6: weights and bias within ±1/√6.
        double bound = 1 / Math.Sqrt(6);
        Assert.All(Values(conv.weight), v => Assert.InRange(v, -bound, bound));
        Assert.All(Values(conv.bias!), v => Assert.InRange(v, -bound, bound));
        using var x = torch.randn(2, 4, 5, 7);
        using var y = conv.call(x);
        Assert.Equal(new long[] { 2, 6, 3, 7 }, y.shape);
        using var manual = F.conv2d(x, conv.weight, conv.bias, new long[] { 2, 1 }, new long[] { 1, 0 }, null, 2);
        Close(manual, y, 1e-6);
        Assert.Throws<ArgumentException>(() => nn.Conv2d(3, 6, 3, groups: 2));
    }

    [Fact]
    public void Conv2dPaddingModes()
    {
        using var x = T(new double[] { 1, 2, 3 }, 1, 1, 1, 3);
        using var zeros = nn.Conv2d(1, 1, (1, 3), padding: (0, 1), bias: false, dtype: ScalarType.Float64);
        using var reflect = nn.Conv2d(1, 1, (1, 3), padding: (0, 1), padding_mode: PaddingModes.Reflect, bias: false, dtype: ScalarType.Float64);
        using var replicate = nn.Conv2d(1, 1, (1, 3), padding: (0, 1), padding_mode: PaddingModes.Replicate, bias: false, dtype: ScalarType.Float64);
        using (torch.no_grad())
            foreach (var c in new[] { zeros, reflect, replicate }) c.weight.fill_(1.0);
        using var yz = zeros.call(x);        // [0 1 2 3 0]
        Close(new double[] { 3, 6, 5 }, yz, 1e-12);
        using var yr = reflect.call(x);      // [2 1 2 3 2]
        Close(new double[] { 5, 6, 7 }, yr, 1e-12);
        using var yp = replicate.call(x);    // [1 1 2 3 3]
        Close(new double[] { 4, 6, 8 }, yp, 1e-12);
    }
}
