using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;
using F = DetrSharp.Torch.nn.functional;

namespace DetrSharp.Torch.Tests.Nn;

public class ActivationTests
{
    static readonly double[] X = { -2, -1, 0, 1, 2 };

    static double Phi(double x) => x switch
    {
        // Standard normal CDF at the test points (tabulated).
        -2 => 0.022750131948179195, -1 => 0.15865525393145707, 0 => 0.5, 1 => 0.8413447460685429, 2 => 0.9772498680518208,
        _ => throw new ArgumentException("no table entry"),
    };

    [Fact]
    public void Relu()
    {
        using var x = T(X);
        using var y = F.relu(x);
        Close(new double[] { 0, 0, 0, 1, 2 }, y);
        Close(X, x); // not modified
        using var z = T(X);
        var same = F.relu(z, inplace: true);
        Assert.Same(z, same);
        Close(new double[] { 0, 0, 0, 1, 2 }, z);
    }

    [Fact]
    public void GeluExactAndTanh()
    {
        using var x = T(X);
        using var exact = F.gelu(x);
        Close(X.Select(v => v * Phi(v)).ToArray(), exact, 1e-12);
        using var approx = F.gelu(x, "tanh");
        double c = Math.Sqrt(2 / Math.PI);
        Close(X.Select(v => 0.5 * v * (1 + Math.Tanh(c * (v + 0.044715 * v * v * v)))).ToArray(), approx, 1e-12);
        // The two differ (slightly) away from 0.
        Assert.NotEqual(Values(exact)[3], Values(approx)[3]);
        Assert.Throws<ArgumentException>(() => F.gelu(x, "fast"));
    }

    [Fact]
    public void SiluAndSigmoid()
    {
        using var x = T(new[] { -1, 0, 1, Math.Log(3) });
        using var s = F.sigmoid(x);
        Close(new[] { 0.2689414213699951, 0.5, 0.7310585786300049, 0.75 }, s, 1e-12);
        using var si = F.silu(x);
        Close(new[] { -0.2689414213699951, 0, 0.7310585786300049, 0.75 * Math.Log(3) }, si, 1e-12);
        using var y = x.clone();
        Assert.Same(y, F.silu(y, inplace: true));
        Close(si, y, 1e-12);
    }

    [Fact]
    public void SoftmaxAndLogSoftmax()
    {
        using var x = T(new[] { 0, Math.Log(3), Math.Log(2), Math.Log(2), Math.Log(1), Math.Log(4) }, 2, 3);
        using var p = F.softmax(x, 1);
        Close(new[] { 1 / 6.0, 3 / 6.0, 2 / 6.0, 2 / 7.0, 1 / 7.0, 4 / 7.0 }, p, 1e-12, new long[] { 2, 3 });
        using var lp = F.log_softmax(x, -1);
        Close(new[] { Math.Log(1 / 6.0), Math.Log(0.5), Math.Log(1 / 3.0), Math.Log(2 / 7.0), Math.Log(1 / 7.0), Math.Log(4 / 7.0) }, lp, 1e-12);
        // Along dim 0: columns (1, 2), (3, 1), (2, 4).
        using var p0 = F.softmax(x, 0);
        Close(new[] { 1 / 3.0, 3 / 4.0, 1 / 3.0, 2 / 3.0, 1 / 4.0, 2 / 3.0 }, p0, 1e-12);
        // Computed in float64 from float32 input when asked.
        using var xf = x.to(ScalarType.Float32);
        using var pd = F.softmax(xf, 1, ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, pd.dtype);
    }

    [Fact]
    public void ActivationModules()
    {
        using var x = T(X);
        using var relu = nn.ReLU();
        using var gelu = nn.GELU("tanh");
        using var silu = nn.SiLU();
        using var sigmoid = nn.Sigmoid();
        using var identity = nn.Identity();
        using var r = relu.call(x);
        using var fr = F.relu(x);
        Close(fr, r);
        using var g = gelu.call(x);
        using var fg = F.gelu(x, "tanh");
        Close(fg, g);
        using var s = silu.call(x);
        using var fs = F.silu(x);
        Close(fs, s);
        using var sg = sigmoid.call(x);
        using var fsg = x.sigmoid();
        Close(fsg, sg);
        using var id = identity.call(x);
        Assert.NotSame(x, id); // a handle the caller owns
        Close(x, id);
        Assert.Empty(relu.parameters());
        Assert.Equal("ReLU", relu.GetName);
        Assert.Throws<ArgumentException>(() => nn.GELU("erf"));
    }
}
