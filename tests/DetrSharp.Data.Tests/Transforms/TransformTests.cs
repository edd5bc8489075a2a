using DetrSharp.Data.Imaging;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;
using Xunit;

namespace DetrSharp.Data.Tests.Transforms;

/// <summary>Box correctness through every transform, determinism, and batching.</summary>
public class TransformTests
{
    static DetectionSample Sample(int w, int h, float[] boxes, int[]? labels = null)
    {
        var img = new RgbImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int o = img.OffsetOf(x, y);
                img.Pixels[o] = (byte)(x % 256);
                img.Pixels[o + 1] = (byte)(y % 256);
                img.Pixels[o + 2] = 7;
            }
        int n = boxes.Length / 4;
        return new DetectionSample
        {
            Image = img, Boxes = boxes, Labels = labels ?? Enumerable.Range(0, n).ToArray(),
            Areas = Enumerable.Range(0, n).Select(i => (boxes[i * 4 + 2] - boxes[i * 4]) * (boxes[i * 4 + 3] - boxes[i * 4 + 1])).ToArray(),
            ImageId = 1, OriginalWidth = w, OriginalHeight = h,
        };
    }

    [Fact]
    public void FlipMirrorsBoxesAndPixels()
    {
        var s = Sample(100, 50, new float[] { 10, 20, 30, 40 });
        var rng = new Xoshiro256StarStar(1);
        var f = new RandomHorizontalFlip(p: 1.0).Apply(s, ref rng);
        Assert.Equal(new float[] { 70, 20, 90, 40 }, f.Boxes);
        Assert.Equal(99, f.Image.Pixels[f.Image.OffsetOf(0, 0)]);
        Assert.Equal(0, f.Image.Pixels[f.Image.OffsetOf(99, 0)]);
        var rng2 = new Xoshiro256StarStar(1);
        var same = new RandomHorizontalFlip(p: 0.0).Apply(Sample(100, 50, new float[] { 10, 20, 30, 40 }), ref rng2);
        Assert.Equal(new float[] { 10, 20, 30, 40 }, same.Boxes);
    }

    [Theory]
    [InlineData(640, 480, 800, 1333, 800, 1066)]
    [InlineData(480, 640, 800, 1333, 1066, 800)]
    [InlineData(1000, 200, 800, 1333, 267, 1335)] // the reference rounds the short side, then may pass max_size slightly
    [InlineData(128, 128, 128, null, 128, 128)]
    [InlineData(200, 100, 64, 96, 48, 96)]
    public void ResizeFollowsDetrGetSize(int w, int h, int size, int? max, int expectH, int expectW)
    {
        Assert.Equal((expectH, expectW), RandomResize.GetSize(w, h, size, max));
    }

    [Fact]
    public void ResizeScalesBoxesAndAreas()
    {
        var s = Sample(100, 50, new float[] { 10, 20, 30, 40 });
        var r = RandomResize.Resize(s, 100, null); // shorter side 50 -> 100: factor 2
        Assert.Equal(200, r.Image.Width);
        Assert.Equal(100, r.Image.Height);
        Assert.Equal(new float[] { 20, 40, 60, 80 }, r.Boxes);
        Assert.Equal(1600f, r.Areas[0]);
    }

    [Fact]
    public void CropShiftsClipsAndDropsBoxes()
    {
        var s = Sample(100, 100, new float[] { 10, 10, 30, 30, 50, 50, 90, 90, 0, 0, 5, 5 });
        var c = RandomSizeCrop.Crop(s, top: 20, left: 20, height: 50, width: 50);
        Assert.Equal(50, c.Image.Width);
        Assert.Equal(new[] { 0, 1 }, c.Labels);
        Assert.Equal(new float[] { 0, 0, 10, 10, 30, 30, 50, 50 }, c.Boxes);
        Assert.Equal(new float[] { 100, 400 }, c.Areas);
        Assert.Equal(20, c.Image.Pixels[c.Image.OffsetOf(0, 0)]);
        Assert.Equal(20, c.Image.Pixels[c.Image.OffsetOf(0, 0) + 1]);
    }

    [Fact]
    public void PipelineIsDeterministicUnderASeedAndKeepsBoxesInside()
    {
        var t = DetrTransforms.Train(new[] { 96, 112, 128 }, 160, new[] { 100, 120 }, 64, 100);
        for (int seed = 0; seed < 20; seed++)
        {
            var r1 = new Xoshiro256StarStar((ulong)seed);
            var r2 = new Xoshiro256StarStar((ulong)seed);
            var a = t.Apply(Sample(128, 96, new float[] { 10, 10, 60, 50, 70, 20, 120, 90 }), ref r1);
            var b = t.Apply(Sample(128, 96, new float[] { 10, 10, 60, 50, 70, 20, 120, 90 }), ref r2);
            Assert.Equal(a.Boxes, b.Boxes);
            Assert.Equal(a.Image.Pixels, b.Image.Pixels);
            for (int i = 0; i < a.Count; i++)
            {
                Assert.InRange(a.Boxes[i * 4], 0, a.Image.Width + 1e-3f);
                Assert.InRange(a.Boxes[i * 4 + 2], a.Boxes[i * 4], a.Image.Width + 1e-3f);
                Assert.InRange(a.Boxes[i * 4 + 3], a.Boxes[i * 4 + 1], a.Image.Height + 1e-3f);
            }
            Assert.InRange(Math.Max(a.Image.Width, a.Image.Height), 1, 160);
        }
    }

    [Fact]
    public void CollatePadsMasksNormalisesAndConvertsBoxes()
    {
        var a = Sample(4, 2, new float[] { 0, 0, 2, 2 });
        var b = Sample(2, 3, new float[] { 1, 1, 2, 3 });
        using var batch = Collate.Make(new[] { a, b });
        Assert.Equal(new long[] { 2, 3, 3, 4 }, batch.Images.shape);
        Assert.Equal(new long[] { 2, 3, 4 }, batch.Mask.shape);
        var mask = batch.Mask.data<bool>();
        Assert.Equal(new[] { false, false, false, false, false, false, false, false, true, true, true, true }, mask[..12]);
        Assert.Equal(new[] { false, false, true, true, false, false, true, true, false, false, true, true }, mask[12..]);
        var px = batch.Images.data<float>();
        Assert.Equal((7 / 255f - 0.406f) / 0.225f, px[2 * 12 + 0], 5); // image 0, blue channel, (0,0)
        Assert.Equal(0f, px[0 * 12 + 8]);                                  // padding row stays zero
        Assert.Equal(new float[] { 0.25f, 0.5f, 0.5f, 1f }, batch.Targets[0].Boxes.data<float>());
        Assert.Equal(new float[] { 0.75f, 2 / 3f, 0.5f, 2 / 3f }, batch.Targets[1].Boxes.data<float>());
        Assert.Equal(new long[] { 0 }, batch.Targets[1].Labels.data<long>());
        Assert.Equal((3, 2), batch.Targets[1].Size);
    }
}
