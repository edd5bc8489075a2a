using DetrSharp.Data.Imaging;
using DetrSharp.Data.Tests.Support;

namespace DetrSharp.Data.Tests.Imaging;

public class OrientationTests
{
    // Source (3 wide, 2 tall):   a b c
    //                            d e f
    // Expected upright pictures, as Pillow's ImageOps.exif_transpose gives them.
    [Theory]
    [InlineData(1, 3, "abcdef")]
    [InlineData(2, 3, "cbafed")]
    [InlineData(3, 3, "fedcba")]
    [InlineData(4, 3, "defabc")]
    [InlineData(5, 2, "adbecf")]
    [InlineData(6, 2, "daebfc")]
    [InlineData(7, 2, "fcebda")]
    [InlineData(8, 2, "cfbead")]
    public void ApplyMatchesExifTranspose(int orientation, int expectedWidth, string expected)
    {
        var src = Letters("abcdef", 3, 2);
        var upright = ImageOrientation.Apply(src, orientation);
        Assert.Equal(expectedWidth, upright.Width);
        Assert.Equal(6 / expectedWidth, upright.Height);
        Assert.Equal(expected, ToLetters(upright));
    }

    [Fact]
    public void OutOfRangeOrientationIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ImageOrientation.Apply(new RgbImage(1, 1), 9));
        Assert.Contains("9", e.Message);
    }

    public static TheoryData<int, bool> AllOrientations()
    {
        var data = new TheoryData<int, bool>();
        for (int o = 1; o <= 8; o++) { data.Add(o, false); data.Add(o, true); }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllOrientations))]
    public void JpegExifOrientationIsApplied(int orientation, bool bigEndian)
    {
        // 2 x 3 flat 8x8 blocks of distinct colours survive JPEG almost exactly
        var src = Blocks(2, 3);
        var jpeg = TestJpeg.Encode(src.Pixels, src.Width, src.Height, TestJpeg.PfRgb, TestJpeg.Samp444, 100);
        var withExif = TestJpeg.InsertAfterSoi(jpeg, TestJpeg.ExifSegment(orientation, bigEndian));

        var raw = ImageCodec.Decode(withExif, "exif.jpg", applyExifOrientation: false);
        Assert.Equal((16, 24), (raw.Width, raw.Height));

        var upright = ImageCodec.Decode(withExif, "exif.jpg");
        var expected = ImageOrientation.Apply(src, orientation);
        Assert.Equal((expected.Width, expected.Height), (upright.Width, upright.Height));
        Assert.True(Pixels.MaxAbsDiff(expected, upright) <= 3);
    }

    [Fact]
    public void ExifReaderToleratesMissingAndMalformedData()
    {
        Assert.Equal(1, ExifOrientation.Read([]));
        Assert.Equal(1, ExifOrientation.Read("XX*\0\b\0\0\0"u8));
        var segment = TestJpeg.ExifSegment(6, bigEndian: false);
        var tiff = segment.AsSpan(4 + 6); // after marker, length and "Exif\0\0"
        Assert.Equal(6, ExifOrientation.Read(tiff));
        Assert.Equal(1, ExifOrientation.Read(tiff[..20])); // cut inside the IFD
    }

    static RgbImage Letters(string letters, int w, int h)
    {
        var img = new RgbImage(w, h);
        for (int i = 0; i < letters.Length; i++) img.Pixels[3 * i] = (byte)letters[i];
        return img;
    }

    static string ToLetters(RgbImage img) =>
        new(Enumerable.Range(0, img.Width * img.Height).Select(i => (char)img.Pixels[3 * i]).ToArray());

    static RgbImage Blocks(int cols, int rows)
    {
        var img = new RgbImage(cols * 8, rows * 8);
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
            {
                int block = (y / 8) * cols + x / 8;
                int o = img.OffsetOf(x, y);
                img.Pixels[o] = (byte)(40 * block + 20);
                img.Pixels[o + 1] = (byte)(230 - 35 * block);
                img.Pixels[o + 2] = (byte)(block % 2 == 0 ? 60 : 190);
            }
        return img;
    }
}
