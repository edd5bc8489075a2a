using DetrSharp.Data.Imaging;
using DetrSharp.Data.Tests.Support;

namespace DetrSharp.Data.Tests.Imaging;

public class PngCodecTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 5)]
    [InlineData(64, 33)]
    public void Rgb8RoundTripsExactly(int w, int h)
    {
        var img = Pixels.Pattern(w, h);
        var back = ImageCodec.Decode(ImageCodec.EncodePng(img), "mem.png");
        Assert.Equal(w, back.Width);
        Assert.Equal(h, back.Height);
        Assert.Equal(img.Pixels, back.Pixels);
    }

    [Fact]
    public void WritePngWritesAtomicallyAndDecodesFromFile()
    {
        using var dir = new TempDir();
        var path = dir.File("pic.png");
        var img = Pixels.Pattern(20, 10);
        ImageCodec.WritePng(path, img);
        ImageCodec.WritePng(path, img, compressionLevel: 9); // overwrite in place
        Assert.Equal(img.Pixels, ImageCodec.Decode(path).Pixels);
        Assert.Equal(["pic.png"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Gray8BecomesEqualChannels()
    {
        var samples = Enumerable.Range(0, 12).Select(i => (byte)(i * 21)).ToArray();
        var img = ImageCodec.Decode(TestPng.Encode(4, 3, TestPng.Gray, 8, samples), "g8.png");
        for (int i = 0; i < 12; i++)
            Assert.Equal((samples[i], samples[i], samples[i]), Pixels.At(img, i % 4, i / 4));
    }

    [Theory]
    [InlineData(1, new byte[] { 0, 255 })]
    [InlineData(2, new byte[] { 0, 85, 170, 255 })]
    [InlineData(4, new byte[] { 0, 17, 34, 51, 68, 85, 102, 119, 136, 153, 170, 187, 204, 221, 238, 255 })]
    public void LowBitGrayIsScaledToFullRange(int bits, byte[] expectedLevels)
    {
        int levels = 1 << bits, width = levels;
        // one row holding each level once, packed MSB first
        var row = new byte[(width * bits + 7) / 8];
        for (int x = 0; x < width; x++) row[x * bits / 8] |= (byte)(x << (8 - bits - x * bits % 8));
        var img = ImageCodec.Decode(TestPng.Encode(width, 1, TestPng.Gray, (byte)bits, row), "lowbit.png");
        for (int x = 0; x < width; x++) Assert.Equal(expectedLevels[x], Pixels.At(img, x, 0).R);
    }

    [Fact]
    public void Gray16KeepsTheHighByte()
    {
        ushort[] values = [0x0000, 0x12FF, 0x8001, 0xFFFF, 0x7F80, 0x0101];
        var raw = values.SelectMany(v => new[] { (byte)(v >> 8), (byte)v }).ToArray();
        var img = ImageCodec.Decode(TestPng.Encode(3, 2, TestPng.Gray, 16, raw), "g16.png");
        for (int i = 0; i < values.Length; i++)
            Assert.Equal((byte)(values[i] >> 8), Pixels.At(img, i % 3, i / 3).G);
    }

    [Fact]
    public void Rgb16KeepsTheHighByte()
    {
        var expected = Pixels.Pattern(5, 4);
        var raw = expected.Pixels.SelectMany(v => new[] { v, (byte)(v ^ 0x5A) }).ToArray(); // low bytes are noise
        var img = ImageCodec.Decode(TestPng.Encode(5, 4, TestPng.Rgb, 16, raw), "rgb16.png");
        Assert.Equal(expected.Pixels, img.Pixels);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void AlphaIsDroppedWithoutCompositing(int depth)
    {
        var expected = Pixels.Pattern(6, 3);
        var rgba = new List<byte>();
        var ga = new List<byte>();
        for (int i = 0; i < 18; i++)
        {
            byte alpha = (byte)(i * 15); // includes fully transparent
            void Add(List<byte> to, byte v) { to.Add(v); if (depth == 16) to.Add(0); }
            Add(rgba, expected.Pixels[3 * i]); Add(rgba, expected.Pixels[3 * i + 1]); Add(rgba, expected.Pixels[3 * i + 2]); Add(rgba, alpha);
            Add(ga, expected.Pixels[3 * i]); Add(ga, alpha);
        }
        var fromRgba = ImageCodec.Decode(TestPng.Encode(6, 3, TestPng.Rgba, (byte)depth, rgba.ToArray()), "rgba.png");
        Assert.Equal(expected.Pixels, fromRgba.Pixels);
        var fromGa = ImageCodec.Decode(TestPng.Encode(6, 3, TestPng.GrayAlpha, (byte)depth, ga.ToArray()), "ga.png");
        for (int i = 0; i < 18; i++)
            Assert.Equal(expected.Pixels[3 * i], Pixels.At(fromGa, i % 6, i / 6).B);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void PaletteIsExpandedAndTrnsIgnored(int bits)
    {
        int entries = 1 << bits, width = 9, height = 4;
        var palette = Enumerable.Range(0, entries * 3).Select(i => (byte)(i * 37 + 11)).ToArray();
        var alpha = Enumerable.Range(0, entries).Select(i => (byte)(i * 3)).ToArray();
        int stride = (width * bits + 7) / 8;
        var samples = new byte[stride * height];
        var index = new int[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int k = (x * 5 + y * 3) % entries;
                index[y * width + x] = k;
                int bit = x * bits;
                samples[y * stride + bit / 8] |= (byte)(k << (8 - bits - bit % 8));
            }
        var img = ImageCodec.Decode(TestPng.Encode(width, height, TestPng.Indexed, (byte)bits, samples, palette: palette, paletteAlpha: alpha), "pal.png");
        for (int i = 0; i < width * height; i++)
        {
            int k = index[i];
            Assert.Equal((palette[3 * k], palette[3 * k + 1], palette[3 * k + 2]), Pixels.At(img, i % width, i / width));
        }
    }

    [Fact]
    public void ColourKeyTrnsIsIgnored()
    {
        var expected = Pixels.Pattern(4, 4);
        var (r, g, b) = Pixels.At(expected, 1, 1);
        var png = TestPng.Encode(4, 4, TestPng.Rgb, 8, expected.Pixels, transparentColor: [r, g, b]);
        Assert.Equal(expected.Pixels, ImageCodec.Decode(png, "key.png").Pixels);
    }

    [Theory]
    [InlineData(TestPng.Rgb, 8)]
    [InlineData(TestPng.Rgb, 16)]
    [InlineData(TestPng.Gray, 8)]
    [InlineData(TestPng.Indexed, 8)]
    public void InterlacedDecodesLikeNonInterlaced(byte colorType, byte depth)
    {
        int w = 13, h = 11;
        int channels = colorType == TestPng.Rgb ? 3 : 1;
        var samples = Enumerable.Range(0, w * h * channels * depth / 8).Select(i => (byte)(i * 31 % 251)).ToArray();
        byte[]? palette = colorType == TestPng.Indexed ? Enumerable.Range(0, 768).Select(i => (byte)(i * 7)).ToArray() : null;
        var plain = ImageCodec.Decode(TestPng.Encode(w, h, colorType, depth, samples, interlaced: false, palette: palette), "plain.png");
        var adam7Png = TestPng.Encode(w, h, colorType, depth, samples, interlaced: true, palette: palette);
        Assert.Equal(1, adam7Png[28]); // IHDR interlace method byte
        var adam7 = ImageCodec.Decode(adam7Png, "adam7.png");
        Assert.Equal(plain.Pixels, adam7.Pixels);
    }

    [Fact]
    public void FormatIsSniffedFromMagicBytesNotExtension()
    {
        using var dir = new TempDir();
        var path = dir.File("really-a-png.jpg");
        File.WriteAllBytes(path, ImageCodec.EncodePng(Pixels.Pattern(3, 3)));
        Assert.Equal(ImageFormat.Png, ImageFormatDetector.Detect(File.ReadAllBytes(path)));
        Assert.Equal(Pixels.Pattern(3, 3).Pixels, ImageCodec.Decode(path).Pixels);
    }
}
