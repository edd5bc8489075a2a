using DetrSharp.Data.Imaging;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;
using Xunit;

namespace DetrSharp.Data.Tests.Transforms.Yolo;

/// <summary>Letterbox and the long-side resize: boxes land exactly on the resized pixels and map back to the stored ones.</summary>
public class LetterBoxTests
{
    [Theory]
    // w, h, size → resized w × h, left, top (ultralytics: round(side·r), padding split round(d − 0.1) / round(d + 0.1))
    [InlineData(200, 100, 128, 128, 64, 0, 32)]
    [InlineData(100, 200, 128, 64, 128, 32, 0)]
    [InlineData(300, 200, 128, 128, 85, 0, 21)]
    [InlineData(64, 64, 128, 128, 128, 0, 0)]
    [InlineData(50, 20, 64, 64, 26, 0, 19)]
    public void ScalesToFitAndPadsCentredWithGrey(int w, int h, int size, int nw, int nh, int left, int top)
    {
        var img = new RgbImage(w, h);
        Array.Fill(img.Pixels, (byte)200);
        var s = YoloSamples.Make(img, [0, 0, w, h]);
        var rng = new Xoshiro256StarStar(1);
        s = new LetterBox(size).Apply(s, ref rng);
        Assert.Equal((size, size), (s.Image.Width, s.Image.Height));
        Assert.Equal((left, top, nw, nh), s.Content);
        // the whole image's box is the content region
        Assert.Equal(new float[] { left, top, left + nw, top + nh }, s.Boxes);
        Assert.InRange(Math.Abs(s.Areas[0] / ((double)nw * nh) - 1), 0, 1e-6);   // float32 area
        // grey 114 outside, the image inside
        Assert.Equal(new byte[] { 200, 200, 200 }, YoloSamples.Rgb(s.Image, left + nw / 2, top + nh / 2));
        if (top > 0) Assert.Equal(new byte[] { 114, 114, 114 }, YoloSamples.Rgb(s.Image, size / 2, top - 1));
        if (top + nh < size) Assert.Equal(new byte[] { 114, 114, 114 }, YoloSamples.Rgb(s.Image, size / 2, top + nh));
        if (left > 0) Assert.Equal(new byte[] { 114, 114, 114 }, YoloSamples.Rgb(s.Image, left - 1, size / 2));
        if (left + nw < size) Assert.Equal(new byte[] { 114, 114, 114 }, YoloSamples.Rgb(s.Image, left + nw, size / 2));
    }

    [Fact]
    public void MapsAKnownBoxExactlyAndBack()
    {
        // 200 × 100 → 128 × 64 at top 32: × 0.64 per axis, + (0, 32)
        var img = new RgbImage(200, 100);
        YoloSamples.Paint(img, 50, 25, 150, 75, 255, 0, 0);
        var s = YoloSamples.Make(img, [50, 25, 150, 75, 20, 10, 60, 50]);
        s.Labels = [3, 1];
        var rng = new Xoshiro256StarStar(1);
        s = new LetterBox(128).Apply(s, ref rng);
        Assert.Equal(new float[] { 32, 48, 96, 80, 12.8f, 38.4f, 38.4f, 64 }, s.Boxes.Select(v => MathF.Round(v, 4)).ToArray());
        Assert.Equal(new[] { 3, 1 }, s.Labels);
        // the red block is where its box says
        Assert.Equal(new byte[] { 255, 0, 0 }, YoloSamples.Rgb(s.Image, 64, 64));
        Assert.Equal(new byte[] { 255, 0, 0 }, YoloSamples.Rgb(s.Image, 33, 49));
        Assert.NotEqual(255, YoloSamples.Rgb(s.Image, 30, 64)[0]);
        // the batch's target carries the content region; predictions in letterboxed pixels map back to the stored ones
        using var target = Collate.Targets(s);
        Assert.Equal((128, 128), target.Size);
        Assert.Equal((100, 200), target.OriginalSize);
        var (sx, sy, dx, dy) = target.ToStoredPixels();
        float[] back = [(12.8f - dx) * sx, (38.4f - dy) * sy, (38.4f - dx) * sx, (64 - dy) * sy];
        Assert.Equal(new float[] { 20, 10, 60, 50 }, back.Select(v => MathF.Round(v, 3)).ToArray());
    }

    [Fact]
    public void FlipMirrorsTheContentRegion()
    {
        var s = YoloSamples.Solid(100, 200, 50, [10, 20, 30, 40]);
        var rng = new Xoshiro256StarStar(1);
        s = new LetterBox(128).Apply(s, ref rng);
        Assert.Equal((32, 0, 64, 128), s.Content);
        s.Content = (30, 0, 64, 128);   // an uneven placement shows the mirror
        s = new RandomHorizontalFlip(1.0).Apply(s, ref rng);
        Assert.Equal((34, 0, 64, 128), s.Content);
    }

    [Theory]
    [InlineData(200, 100, 128, 128, 64)]
    [InlineData(96, 96, 128, 128, 128)]
    [InlineData(100, 30, 64, 64, 20)]   // ceil(19.2)
    public void LongSideResizeFollowsLoadImage(int w, int h, int size, int nw, int nh)
    {
        var s = YoloSamples.Solid(w, h, 9, [0, 0, w, h]);
        s = LongSideResize.Resize(s, size);
        Assert.Equal((nw, nh), (s.Image.Width, s.Image.Height));
        Assert.Equal(new float[] { 0, 0, nw, nh }, s.Boxes);
        Assert.Null(s.Content);
    }
}
