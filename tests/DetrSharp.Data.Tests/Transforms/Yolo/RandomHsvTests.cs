using DetrSharp.Data.Imaging;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;
using Xunit;

namespace DetrSharp.Data.Tests.Transforms.Yolo;

/// <summary>HSV gains: the lookup tables as the reference builds them, pixels changed as they say, boxes left alone.</summary>
public class RandomHsvTests
{
    // eleven colours, and what OpenCV 4.6 makes of them (cv2.cvtColor COLOR_RGB2HSV, then COLOR_HSV2RGB after
    // cv2.LUT with ultralytics' tables for the gains (h, s, v)): the reference, computed once with python3-opencv
    static readonly byte[] Colours =
    [
        255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0, 128, 128, 128, 0, 0, 0, 200, 100, 100, 200, 200, 200, 17, 200, 90, 3, 5, 250, 90, 91, 92,
    ];

    [Fact]
    public void ConvertsToHsvAsOpenCv()
    {
        byte[] expected = [0, 255, 255, 60, 255, 255, 120, 255, 255, 30, 255, 255, 0, 0, 128, 0, 0, 0, 0, 127, 200, 0, 0, 200, 72, 233, 200, 120, 252, 250, 105, 6, 92];
        for (int i = 0; i < Colours.Length; i += 3)
        {
            var (h, s, v) = HsvConversion.FromRgb(Colours[i], Colours[i + 1], Colours[i + 2]);
            Assert.Equal(expected[i..(i + 3)], new[] { h, s, v });
        }
    }

    [Theory]
    [InlineData(1.0, 1.0, 1.0, new byte[] { 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0, 128, 128, 128, 0, 0, 0, 200, 100, 100, 200, 200, 200, 17, 200, 90, 3, 3, 250, 90, 91, 92 })]
    [InlineData(1.0, 1.0, 0.5, new byte[] { 127, 0, 0, 0, 127, 0, 0, 0, 127, 127, 127, 0, 64, 64, 64, 0, 0, 0, 100, 50, 50, 100, 100, 100, 9, 100, 45, 1, 1, 125, 45, 45, 46 })]
    [InlineData(1.5, 1.0, 1.0, new byte[] { 255, 0, 0, 0, 255, 255, 255, 0, 0, 127, 255, 0, 128, 128, 128, 0, 0, 0, 200, 100, 100, 200, 200, 200, 17, 90, 200, 250, 3, 3, 92, 90, 91 })]
    [InlineData(1.0, 0.0, 1.0, new byte[] { 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 128, 128, 128, 0, 0, 0, 200, 200, 200, 200, 200, 200, 200, 200, 200, 250, 250, 250, 92, 92, 92 })]
    [InlineData(0.99, 1.3, 0.8, new byte[] { 204, 0, 0, 7, 204, 0, 0, 14, 204, 204, 197, 0, 102, 102, 102, 0, 0, 0, 160, 56, 56, 160, 160, 160, 0, 160, 59, 0, 13, 200, 71, 72, 73 })]
    public void ChangesPixelsAsTheReferenceDoes(double rh, double rs, double rv, byte[] expected)
    {
        var img = new RgbImage(Colours.Length / 3, 1, (byte[])Colours.Clone());
        Assert.Equal(expected, RandomHsv.WithGains(img, rh, rs, rv).Pixels);
    }

    [Fact]
    public void TablesAreTheReferences()
    {
        var (hue, sat, val) = RandomHsv.Tables(1.5, 0.5, 1.2);
        Assert.Equal(90, hue[60]);
        Assert.Equal(0, hue[120]);      // 180 mod 180
        Assert.Equal(1, hue[1]);        // ⌊1.5⌋
        Assert.Equal(50, sat[100]);
        Assert.Equal(127, sat[255]);    // ⌊127.5⌋
        Assert.Equal(240, val[200]);
        Assert.Equal(255, val[250]);    // clipped
    }

    [Fact]
    public void LeavesBoxesAloneAndDrawsGainsWithinTheirRange()
    {
        var img = new RgbImage(16, 16);
        for (int i = 0; i < img.Pixels.Length; i++) img.Pixels[i] = (byte)(i * 37);
        for (ulong seed = 0; seed < 20; seed++)
        {
            var sample = YoloSamples.Make(img.Clone(), [1, 2, 3, 4]);
            var rng = new Xoshiro256StarStar(seed);
            var copy = rng;
            double rh = copy.NextDouble(-1, 1) * 0.015 + 1, rs = copy.NextDouble(-1, 1) * 0.7 + 1, rv = copy.NextDouble(-1, 1) * 0.4 + 1;
            sample = new RandomHsv(0.015, 0.7, 0.4).Apply(sample, ref rng);
            Assert.Equal(new float[] { 1, 2, 3, 4 }, sample.Boxes);
            Assert.Equal(RandomHsv.WithGains(img, rh, rs, rv).Pixels, sample.Image.Pixels);
            Assert.NotEqual(img.Pixels, sample.Image.Pixels);
        }
        // no gains: nothing drawn, nothing changed
        var none = YoloSamples.Make(img.Clone(), [1, 2, 3, 4]);
        var r0 = new Xoshiro256StarStar(5);
        var r1 = r0;
        none = new RandomHsv(0, 0, 0).Apply(none, ref r0);
        Assert.Equal(img.Pixels, none.Image.Pixels);
        Assert.Equal(r1.NextUInt64(), r0.NextUInt64());
    }
}
