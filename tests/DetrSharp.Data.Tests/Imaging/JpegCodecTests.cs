using DetrSharp.Data.Imaging;
using DetrSharp.Data.Tests.Support;

namespace DetrSharp.Data.Tests.Imaging;

public class JpegCodecTests
{
    [Fact]
    public void BaselineRgbDecodesCloseToTheSource()
    {
        var src = Pixels.Smooth(48, 32);
        var jpeg = TestJpeg.Encode(src.Pixels, 48, 32, TestJpeg.PfRgb, TestJpeg.Samp444, 100);
        Assert.Equal(ImageFormat.Jpeg, ImageFormatDetector.Detect(jpeg));
        var img = ImageCodec.Decode(jpeg, "q100.jpg");
        Assert.Equal((48, 32), (img.Width, img.Height));
        Assert.True(Pixels.MaxAbsDiff(src, img) <= 4, $"max diff {Pixels.MaxAbsDiff(src, img)}");
    }

    [Fact]
    public void ChromaSubsampledDecodesToFullSize()
    {
        var src = Pixels.Smooth(37, 21); // odd sizes: partial MCUs
        var img = ImageCodec.Decode(TestJpeg.Encode(src.Pixels, 37, 21, TestJpeg.PfRgb, TestJpeg.Samp420, 90), "420.jpg");
        Assert.Equal((37, 21), (img.Width, img.Height));
        Assert.True(Pixels.MeanAbsDiff(src, img) < 3, $"mean diff {Pixels.MeanAbsDiff(src, img)}");
    }

    [Fact]
    public void ProgressiveDecodesExactlyLikeBaseline()
    {
        var src = Pixels.Pattern(40, 24);
        var baseline = TestJpeg.Encode(src.Pixels, 40, 24, TestJpeg.PfRgb, TestJpeg.Samp420, 85);
        var progressive = TestJpeg.Encode(src.Pixels, 40, 24, TestJpeg.PfRgb, TestJpeg.Samp420, 85, TestJpeg.FlagProgressive);
        Assert.True(ContainsMarker(progressive, 0xC2), "expected an SOF2 (progressive) frame");
        Assert.False(ContainsMarker(baseline, 0xC2));
        Assert.Equal(ImageCodec.Decode(baseline, "b.jpg").Pixels, ImageCodec.Decode(progressive, "p.jpg").Pixels);
    }

    [Fact]
    public void GrayscaleBecomesEqualChannels()
    {
        int w = 24, h = 16;
        var gray = Enumerable.Range(0, w * h).Select(i => (byte)(30 + (i % w) * 8)).ToArray();
        var img = ImageCodec.Decode(TestJpeg.Encode(gray, w, h, TestJpeg.PfGray, TestJpeg.SampGray, 100), "gray.jpg");
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var (r, g, b) = Pixels.At(img, x, y);
                Assert.Equal(r, g);
                Assert.Equal(g, b);
                Assert.InRange(r - gray[y * w + x], -3, 3);
            }
    }

    [Fact]
    public void CmykWithAdobeMarkerIsConvertedAsInverted()
    {
        // libjpeg stores CMYK as given and writes an Adobe APP14 marker; by the Adobe convention (and Pillow's)
        // the stored samples are inverted, so R = c * k / 255 with c, k the stored values.
        int w = 16, h = 16;
        byte[][] colors = [[200, 100, 50, 255], [255, 255, 255, 128], [10, 240, 130, 220], [128, 64, 32, 0]];
        var cmyk = new byte[w * h * 4];
        for (int i = 0; i < w * h; i++)
        {
            var c = colors[(i % w) / 8 + 2 * ((i / w) / 8)]; // four flat 8x8 blocks
            Array.Copy(c, 0, cmyk, 4 * i, 4);
        }
        var jpeg = TestJpeg.Encode(cmyk, w, h, TestJpeg.PfCmyk, TestJpeg.Samp444, 100);
        Assert.True(ContainsMarker(jpeg, 0xEE), "expected an Adobe APP14 marker");
        var img = ImageCodec.Decode(jpeg, "cmyk.jpg");
        for (int block = 0; block < 4; block++)
        {
            var c = colors[block];
            var (r, g, b) = Pixels.At(img, 4 + 8 * (block % 2), 4 + 8 * (block / 2));
            Assert.InRange(r, c[0] * c[3] / 255.0 - 4, c[0] * c[3] / 255.0 + 4);
            Assert.InRange(g, c[1] * c[3] / 255.0 - 4, c[1] * c[3] / 255.0 + 4);
            Assert.InRange(b, c[2] * c[3] / 255.0 - 4, c[2] * c[3] / 255.0 + 4);
        }
    }

    static bool ContainsMarker(byte[] jpeg, byte marker)
    {
        for (int i = 2; i + 1 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] == marker) return true;
        return false;
    }
}
