using DetrSharp.Data.Imaging;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;
using Xunit;

namespace DetrSharp.Data.Tests.Transforms.Yolo;

/// <summary>Random perspective: exact box moves under translation and scale, the candidate filter, the identity case.</summary>
public class RandomPerspectiveTests
{
    static RgbImage Pattern(int w, int h)
    {
        var img = new RgbImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int o = img.OffsetOf(x, y);
                (img.Pixels[o], img.Pixels[o + 1], img.Pixels[o + 2]) = ((byte)(x * 3), (byte)(y * 5), (byte)(x + y));
            }
        return img;
    }

    [Fact]
    public void PureTranslationMovesBoxesAndPixelsExactly()
    {
        var s = YoloSamples.Make(Pattern(64, 64), [10, 10, 30, 30, 0, 0, 64, 64]);
        double[] m = [1, 0, 5, 0, 1, -3, 0, 0, 1];
        var src = s.Image;
        s = RandomPerspective.Transform(s, m, 64, 64, 1.0);
        // the second box is clipped to the image: (5, -3, 69, 61) → (5, 0, 64, 61)
        Assert.Equal(new float[] { 15, 7, 35, 27, 5, 0, 64, 61 }, s.Boxes);
        Assert.Equal(new float[] { 400, 59 * 61 }, s.Areas);
        // out(x, y) = in(x − 5, y + 3); grey where the source is outside
        Assert.Equal(YoloSamples.Rgb(src, 0, 3), YoloSamples.Rgb(s.Image, 5, 0));
        Assert.Equal(YoloSamples.Rgb(src, 20, 40), YoloSamples.Rgb(s.Image, 25, 37));
        Assert.Equal(new byte[] { 114, 114, 114 }, YoloSamples.Rgb(s.Image, 2, 10));
        Assert.Equal(new byte[] { 114, 114, 114 }, YoloSamples.Rgb(s.Image, 30, 63));
    }

    [Fact]
    public void PureScaleMovesBoxesExactly()
    {
        var s = YoloSamples.Solid(40, 30, 77, [4, 6, 20, 16]);
        double[] m = [2, 0, 0, 0, 2, 0, 0, 0, 1];
        s = RandomPerspective.Transform(s, m, 80, 60, 2.0);
        Assert.Equal((80, 60), (s.Image.Width, s.Image.Height));
        Assert.Equal(new float[] { 8, 12, 40, 32 }, s.Boxes);
        Assert.Equal(new byte[] { 77, 77, 77 }, YoloSamples.Rgb(s.Image, 40, 30));
    }

    [Fact]
    public void CandidateFilterDropsSquashedAndVanishingBoxes()
    {
        // shifted left by 28 and clipped: A (30..60) → 2..32, kept; B (20..32) → 0..4, a third of it, 4 px: kept;
        // C (25..31) → 0..3, half of it, 3 px: kept; D (10..29) → 0..1, 1 px: dropped; E (0..27) → nothing: dropped
        var s = YoloSamples.Make(Pattern(64, 64), [30, 10, 60, 40, 20, 10, 32, 40, 25, 10, 31, 40, 10, 10, 29, 40, 0, 10, 27, 40]);
        double[] m = [1, 0, -28, 0, 1, 0, 0, 0, 1];
        s = RandomPerspective.Transform(s, m, 64, 64, 1.0);
        Assert.Equal(new[] { 0, 1, 2 }, s.Labels);
        Assert.Equal(new float[] { 2, 10, 32, 40, 0, 10, 4, 40, 0, 10, 3, 40 }, s.Boxes);
        // a box that keeps less than 10 % of its (scaled) area goes, however wide it stays
        var t = YoloSamples.Make(Pattern(64, 64), [0, 0, 64, 40]);
        t = RandomPerspective.Transform(t, [1, 0, 0, 0, 1, -37, 0, 0, 1], 64, 64, 1.0);   // 64 × 3 of 64 × 40 left
        Assert.Empty(t.Labels);
    }

    [Theory]
    [InlineData(10, 10, 10, 10, true)]
    [InlineData(10, 10, 2, 10, false)]      // not wider than 2 px
    [InlineData(10, 10, 3, 3, false)]       // 9 % of the area
    [InlineData(10, 10, 4, 3, true)]        // 12 %
    [InlineData(1000, 10, 500, 4.5f, false)] // aspect ratio 111
    [InlineData(1000, 10, 500, 5.5f, true)]  // aspect ratio 91
    public void BoxCandidatesFollowTheReference(float w1, float h1, float w2, float h2, bool keep)
        => Assert.Equal(keep, RandomPerspective.BoxCandidates(w1, h1, w2, h2));

    [Fact]
    public void NoTranslationNoScaleIsTheIdentity()
    {
        var p = new RandomPerspective(new YoloAugmentOptions { Translate = 0, Scale = 0 });
        var s = YoloSamples.Make(Pattern(64, 48), [10, 10, 30, 30]);
        var before = (byte[])s.Image.Pixels.Clone();
        var rng = new Xoshiro256StarStar(3);
        s = p.Apply(s, 0, ref rng);
        Assert.Equal(before, s.Image.Pixels);
        Assert.Equal(new float[] { 10, 10, 30, 30 }, s.Boxes);
    }

    [Fact]
    public void MosaicBorderHalvesTheCanvas()
    {
        // translate 0 and scale 0: M maps the 128 canvas's centre onto the 64 output's centre, a shift by −32
        var p = new RandomPerspective(new YoloAugmentOptions { Translate = 0, Scale = 0 });
        var s = YoloSamples.Make(Pattern(128, 128), [40, 40, 60, 70, 0, 0, 20, 20]);
        var rng = new Xoshiro256StarStar(3);
        s = p.Apply(s, -32, ref rng);
        Assert.Equal((64, 64), (s.Image.Width, s.Image.Height));
        Assert.Equal(new[] { 0 }, s.Labels);
        Assert.Equal(new float[] { 8, 8, 28, 38 }, s.Boxes);
    }

    [Fact]
    public void RotationKeepsTheBoxAroundTheRotatedCorners()
    {
        // a random rotation about the centre (no scale, no shift): the new box is the bounds of the four corners under M
        var p = new RandomPerspective(new YoloAugmentOptions { Translate = 0, Scale = 0, Degrees = 90 });
        var s = YoloSamples.Make(Pattern(64, 64), [10, 20, 30, 24]);
        Span<double> m = stackalloc double[9];
        var rng = new Xoshiro256StarStar(11);
        var copy = rng;
        p.Matrix(64, 64, 64, 64, ref copy, m);
        double[] xs = new double[4], ys = new double[4];
        float[] c = [10, 20, 30, 20, 10, 24, 30, 24];
        for (int k = 0; k < 4; k++)
        {
            xs[k] = m[0] * c[k * 2] + m[1] * c[k * 2 + 1] + m[2];
            ys[k] = m[3] * c[k * 2] + m[4] * c[k * 2 + 1] + m[5];
        }
        s = p.Apply(s, 0, ref rng);
        Assert.Single(s.Labels);
        Assert.Equal((float)Math.Clamp(xs.Min(), 0, 64), s.Boxes[0], 4);
        Assert.Equal((float)Math.Clamp(ys.Min(), 0, 64), s.Boxes[1], 4);
        Assert.Equal((float)Math.Clamp(xs.Max(), 0, 64), s.Boxes[2], 4);
        Assert.Equal((float)Math.Clamp(ys.Max(), 0, 64), s.Boxes[3], 4);
    }
}
