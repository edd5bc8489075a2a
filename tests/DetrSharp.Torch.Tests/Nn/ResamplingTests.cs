using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;
using F = DetrSharp.Torch.nn.functional;

namespace DetrSharp.Torch.Tests.Nn;

public class ResamplingTests
{
    static Tensor Square2() => T(new double[] { 1, 2, 3, 4 }, 1, 1, 2, 2);

    [Fact]
    public void InterpolateNearest()
    {
        using var x = Square2();
        double[] up = { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 };
        using var bySize = F.interpolate(x, new long[] { 4, 4 });
        Close(up, bySize, 0, new long[] { 1, 1, 4, 4 });
        using var byScale = F.interpolate(x, scale_factor: new[] { 2.0 });
        Close(up, byScale, 0, new long[] { 1, 1, 4, 4 });
        // 2 → 3: source index floor(dst * 2 / 3) = 0, 0, 1.
        using var three = F.interpolate(x, new long[] { 3 });
        Close(new double[] { 1, 1, 2, 1, 1, 2, 3, 3, 4 }, three, 0, new long[] { 1, 1, 3, 3 });
        // Down: 4x4 (0..15) → 2x2 picks rows/cols 0 and 2.
        using var big = torch.arange(0.0, 16.0, ScalarType.Float64).view(1, 1, 4, 4);
        using var down = F.interpolate(big, new long[] { 2, 2 });
        Close(new double[] { 0, 2, 8, 10 }, down, 0);
        // Non-square sizes.
        using var rect = F.interpolate(x, new long[] { 1, 4 });
        Close(new double[] { 1, 1, 2, 2 }, rect, 0, new long[] { 1, 1, 1, 4 });
        // A mask-like bool round trip through float (as DETR does for padding masks).
        using var m = B(new[] { false, true, false, true }, 1, 1, 2, 2);
        using var mf = m.to(ScalarType.Float32);
        using var mi = F.interpolate(mf, new long[] { 2, 4 });
        using var mb = mi.to(ScalarType.Bool);
        Assert.Equal(new[] { false, false, true, true, false, false, true, true }, mb.data<bool>());
    }

    [Fact]
    public void InterpolateBilinear()
    {
        using var x = Square2();
        using var aligned = F.interpolate(x, new long[] { 3, 3 }, mode: InterpolationMode.Bilinear, align_corners: true);
        Close(new[] { 1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4 }, aligned, 1e-12);
        // align_corners false: source = (dst + 0.5) / 2 - 0.5, clamped at 0: weights 0, .25, .75, 1 of the second pixel.
        using var half = F.interpolate(x, new long[] { 4, 4 }, mode: InterpolationMode.Bilinear);
        Close(new[]
        {
            1, 1.25, 1.75, 2,
            1.5, 1.75, 2.25, 2.5,
            2.5, 2.75, 3.25, 3.5,
            3, 3.25, 3.75, 4,
        }, half, 1e-12);
        using var byScale = F.interpolate(x, scale_factor: new[] { 2.0, 2.0 }, mode: InterpolationMode.Bilinear, align_corners: false);
        Close(half, byScale, 1e-12);
        using var recomputed = F.interpolate(x, scale_factor: new[] { 2.0 }, mode: InterpolationMode.Bilinear, recompute_scale_factor: true);
        Close(half, recomputed, 1e-12);
    }

    [Fact]
    public void InterpolateRejectsBadArguments()
    {
        using var x = Square2();
        Assert.Throws<ArgumentException>(() => F.interpolate(x));
        Assert.Throws<ArgumentException>(() => F.interpolate(x, new long[] { 2, 2 }, new[] { 2.0 }));
        Assert.Throws<ArgumentException>(() => F.interpolate(x, new long[] { 2, 2 }, align_corners: true));
        using var x3 = x.view(1, 2, 2);
        Assert.Throws<ArgumentException>(() => F.interpolate(x3, new long[] { 4, 4 }));
        Assert.Throws<ArgumentException>(() => F.interpolate(x, new long[] { 0, 4 }));
    }

    [Fact]
    public void UpsampleModule()
    {
        using var x = Square2();
        using var up = nn.Upsample(scale_factor: new[] { 2.0 }, mode: InterpolationMode.Bilinear, align_corners: true);
        using var y = up.call(x);
        using var f = F.interpolate(x, scale_factor: new[] { 2.0 }, mode: InterpolationMode.Bilinear, align_corners: true);
        Close(f, y, 1e-12);
        Assert.Equal(new long[] { 1, 1, 4, 4 }, y.shape);
        Assert.Throws<ArgumentException>(() => nn.Upsample());
    }

    /// <summary>A [1, H_out=1, W_out=n, 2] grid of (x, y) points.</summary>
    static Tensor Grid(params (double x, double y)[] points)
        => T(points.SelectMany(p => new[] { p.x, p.y }).ToArray(), 1, 1, points.Length, 2);

    [Fact]
    public void GridSampleBilinear()
    {
        using var x = Square2();
        // align_corners true: ±1 are the corner pixels' centres; x indexes width, y height.
        using var g = Grid((-1, -1), (1, -1), (-1, 1), (1, 1), (0, 0), (0, -1));
        using var a = F.grid_sample(x, g, align_corners: true);
        Close(new[] { 1, 2, 3, 4, 2.5, 1.5 }, a, 1e-12, new long[] { 1, 1, 1, 6 });
        // align_corners false: ±1 are the outer edges, so (-1, -1) is the corner pixel's corner: 1/4 of it, zeros outside.
        using var corner = Grid((-1, -1), (0, 0), (-0.5, -0.5));
        using var b = F.grid_sample(x, corner);
        Close(new[] { 0.25, 2.5, 1 }, b, 1e-12);
    }

    [Fact]
    public void GridSamplePaddingModes()
    {
        using var x = Square2();
        // (2, -1) with align_corners false is pixel (x 2.5, y -0.5): outside to the right.
        using var g = Grid((2, -1));
        using var zeros = F.grid_sample(x, g, padding_mode: GridSamplePaddingMode.Zeros);
        Close(new double[] { 0 }, zeros, 1e-12);
        using var border = F.grid_sample(x, g, padding_mode: GridSamplePaddingMode.Border);
        Close(new double[] { 2 }, border, 1e-12); // clamped to column 1, row 0
        using var reflection = F.grid_sample(x, g, padding_mode: GridSamplePaddingMode.Reflection);
        Close(new double[] { 1.5 }, reflection, 1e-12); // x 2.5 reflects about 1.5 to 0.5, halfway between columns
    }

    [Fact]
    public void GridSampleNearestAndShapes()
    {
        using var x = Square2();
        // align_corners true: (0.2, -0.6) → pixel (0.6, 0.2) → nearest (1, 0).
        using var g = Grid((0.2, -0.6), (-0.9, 0.9));
        using var n = F.grid_sample(x, g, GridSampleMode.Nearest, align_corners: true);
        Close(new double[] { 2, 3 }, n, 0);
        // Batched, multi-channel: [2, 3, 4, 5] sampled on [2, 6, 7, 2] gives [2, 3, 6, 7].
        using var big = torch.randn(new long[] { 2, 3, 4, 5 });
        using var grid = torch.rand(new long[] { 2, 6, 7, 2 });
        using var s = F.grid_sample(big, grid);
        Assert.Equal(new long[] { 2, 3, 6, 7 }, s.shape);
        using var badGrid = torch.rand(new long[] { 1, 6, 7, 2 });
        Assert.Throws<ArgumentException>(() => F.grid_sample(big, badGrid));
    }

    [Fact]
    public void Pad()
    {
        using var v = T(new double[] { 1, 2, 3 }, 1, 1, 3);
        using var c = F.pad(v, new long[] { 1, 2 }, value: 9);
        Close(new double[] { 9, 1, 2, 3, 9, 9 }, c, 0, new long[] { 1, 1, 6 });
        using var r = F.pad(v, new long[] { 2, 1 }, PaddingModes.Reflect);
        Close(new double[] { 3, 2, 1, 2, 3, 2 }, r, 0);
        using var rep = F.pad(v, new long[] { 2, 1 }, PaddingModes.Replicate);
        Close(new double[] { 1, 1, 1, 2, 3, 3 }, rep, 0);
        using var crop = F.pad(v, new long[] { -1, 0 });
        Close(new double[] { 2, 3 }, crop, 0);
        // 2-D: one column on the left, one row at the bottom.
        using var x = Square2();
        using var p2 = F.pad(x, new long[] { 1, 0, 0, 1 });
        Close(new double[] { 0, 1, 2, 0, 3, 4, 0, 0, 0 }, p2, 0, new long[] { 1, 1, 3, 3 });
        using var r2 = F.pad(x, new long[] { 1, 1, 1, 1 }, PaddingModes.Replicate);
        Close(new double[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, r2, 0);
        Assert.Throws<ArgumentException>(() => F.pad(v, new long[] { 1 }));
        Assert.Throws<ArgumentException>(() => F.pad(v, new long[] { 1, 1 }, PaddingModes.Reflect, 5));
    }
}
