using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;

namespace DetrSharp.Torch.Tests.Nn;

[Collection(GlobalGenerator.Collection)]
public class InitTests
{
    static (double min, double max, double mean, double std) Stats(Tensor t)
    {
        var v = Values(t);
        double mean = v.Average();
        return (v.Min(), v.Max(), mean, Math.Sqrt(v.Select(a => (a - mean) * (a - mean)).Average()));
    }

    [Fact]
    public void FansAndGains()
    {
        using var w2 = torch.empty(4, 3);
        Assert.Equal((3L, 4L), nn.init.calculate_fan_in_and_fan_out(w2));
        using var w4 = torch.empty(8, 4, 3, 3);
        Assert.Equal((36L, 72L), nn.init.calculate_fan_in_and_fan_out(w4));
        using var w1 = torch.empty(5);
        Assert.Throws<ArgumentException>(() => nn.init.calculate_fan_in_and_fan_out(w1));
        Assert.Equal(1.0, nn.init.calculate_gain(nn.init.NonlinearityType.Linear));
        Assert.Equal(1.0, nn.init.calculate_gain(nn.init.NonlinearityType.Sigmoid));
        Assert.Equal(5.0 / 3, nn.init.calculate_gain(nn.init.NonlinearityType.Tanh));
        Assert.Equal(Math.Sqrt(2), nn.init.calculate_gain(nn.init.NonlinearityType.ReLU));
        Assert.Equal(Math.Sqrt(2 / 1.0001), nn.init.calculate_gain(nn.init.NonlinearityType.LeakyReLU), 12);
        Assert.Equal(Math.Sqrt(2 / 6.0), nn.init.calculate_gain(nn.init.NonlinearityType.LeakyReLU, Math.Sqrt(5)), 12);
    }

    [Fact]
    public void ConstantFills()
    {
        using var t = torch.empty(new long[] { 2, 3 }, ScalarType.Float64);
        nn.init.constant_(t, 2.5);
        Close(Enumerable.Repeat(2.5, 6).ToArray(), t, 0);
        nn.init.zeros_(t);
        Close(new double[6], t, 0);
        nn.init.ones_(t);
        Close(Enumerable.Repeat(1.0, 6).ToArray(), t, 0);
        Assert.Same(t, nn.init.eye_(t));
        Close(new double[] { 1, 0, 0, 0, 1, 0 }, t, 0);
    }

    [Fact]
    public void FillsParametersWithoutRecordingGradient()
    {
        using var p = torch.zeros(new long[] { 3, 3 }, requires_grad: true);
        Assert.Same(p, nn.init.xavier_uniform_(p));
        nn.init.normal_(p);
        nn.init.zeros_(p);
        Assert.True(p.is_leaf);
        Assert.True(p.requires_grad);
    }

    [Fact]
    public void UniformAndNormal()
    {
        torch.manual_seed(1);
        using var t = torch.empty(new long[] { 200, 100 }, ScalarType.Float64);
        nn.init.uniform_(t, -3, 5);
        var (min, max, mean, std) = Stats(t);
        Assert.True(min >= -3 && max < 5);
        Assert.InRange(mean, 0.9, 1.1);
        Assert.InRange(std, 8 / Math.Sqrt(12) * 0.97, 8 / Math.Sqrt(12) * 1.03);
        nn.init.normal_(t, 2, 0.5);
        (_, _, mean, std) = Stats(t);
        Assert.InRange(mean, 1.98, 2.02);
        Assert.InRange(std, 0.49, 0.51);
    }

    [Fact]
    public void XavierAndKaiming()
    {
        torch.manual_seed(2);
        // fan_in 200, fan_out 100.
        using var t = torch.empty(new long[] { 100, 200 }, ScalarType.Float64);
        nn.init.xavier_uniform_(t);
        double a = Math.Sqrt(6.0 / 300);
        var (min, max, _, std) = Stats(t);
        Assert.True(min >= -a && max <= a);
        Assert.True(max > 0.99 * a && min < -0.99 * a);
        Assert.InRange(std, a / Math.Sqrt(3) * 0.97, a / Math.Sqrt(3) * 1.03);

        nn.init.xavier_normal_(t, gain: 2);
        (_, _, _, std) = Stats(t);
        Assert.InRange(std, 2 * Math.Sqrt(2.0 / 300) * 0.97, 2 * Math.Sqrt(2.0 / 300) * 1.03);

        // a = √5 (nn.Linear's default): bound 1/√fan_in.
        nn.init.kaiming_uniform_(t, Math.Sqrt(5));
        (min, max, _, _) = Stats(t);
        Assert.True(min >= -1 / Math.Sqrt(200) && max <= 1 / Math.Sqrt(200));
        Assert.True(max > 0.99 / Math.Sqrt(200));

        // ReLU, fan_out: std √2 / √100.
        nn.init.kaiming_normal_(t, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
        (_, _, _, std) = Stats(t);
        Assert.InRange(std, Math.Sqrt(2.0 / 100) * 0.97, Math.Sqrt(2.0 / 100) * 1.03);
    }

    [Fact]
    public void TruncatedNormal()
    {
        torch.manual_seed(4);
        using var t = torch.empty(new long[] { 20000 }, ScalarType.Float64);
        nn.init.trunc_normal_(t, mean: 1, std: 1, a: 0.5, b: 1.5);
        var (min, max, mean, std) = Stats(t);
        Assert.True(min >= 0.5 && max <= 1.5);
        Assert.InRange(mean, 0.98, 1.02);
        // The standard normal truncated to ±0.5 has std 0.2839.
        Assert.InRange(std, 0.28, 0.292);
        nn.init.trunc_normal_(t, std: 0.02);
        (min, max, _, std) = Stats(t);
        Assert.InRange(std, 0.0195, 0.0205); // ±2 is 100 std away: effectively untruncated
        Assert.Throws<ArgumentException>(() => nn.init.trunc_normal_(t, a: 1, b: -1));
    }

    [Fact]
    public void GeneratorsMakeFillsRepeatable()
    {
        using var g1 = new Generator(123);
        using var g2 = new Generator(123);
        using var a = torch.empty(4, 5);
        using var b = torch.empty(4, 5);
        nn.init.kaiming_uniform_(a, generator: g1);
        nn.init.kaiming_uniform_(b, generator: g2);
        Assert.Equal(Values(a), Values(b));
        nn.init.trunc_normal_(a, generator: g1);
        nn.init.trunc_normal_(b, generator: g2);
        Assert.Equal(Values(a), Values(b));
        torch.manual_seed(9);
        nn.init.xavier_normal_(a);
        torch.manual_seed(9);
        nn.init.xavier_normal_(b);
        Assert.Equal(Values(a), Values(b));
    }
}
