using System.Diagnostics;
using DetrSharp.Data.Imaging;
using DetrSharp.Data.Tests.Support;

namespace DetrSharp.Data.Tests.Imaging;

/// <summary>Untrusted image files: a header claiming a huge picture is refused before any pixel buffer exists;
/// corrupt JPEG bodies are reported naming the file (an error under the strict option).</summary>
public class ImageLimitTests
{
    static byte[] SmallJpeg() => TestJpeg.Encode(Pixels.Pattern(16, 16).Pixels, 16, 16, TestJpeg.PfRgb, TestJpeg.Samp420, 90);

    // the JPEG with its SOF0 frame header claiming width x height
    static byte[] ClaimingJpeg(int width, int height)
    {
        var jpeg = SmallJpeg();
        for (int i = 2; i + 9 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0)
            {
                jpeg[i + 5] = (byte)(height >> 8); jpeg[i + 6] = (byte)height;
                jpeg[i + 7] = (byte)(width >> 8); jpeg[i + 8] = (byte)width;
                return jpeg;
            }
        throw new InvalidOperationException("no SOF0 marker in the test JPEG");
    }

    static void AssertRefusedQuickly(string path)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(path));
        Assert.True(clock.Elapsed.TotalSeconds < 1, $"took {clock.Elapsed.TotalSeconds:F2} s");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000_000, "allocated 100 MB or more");
        Assert.Contains(path, e.Message);
        Assert.Contains("26000x26000", e.Message);
        Assert.Contains("178,956,970", e.Message);
    }

    [Fact]
    public void TinyJpegClaiming26000x26000IsRefusedFromItsHeader()
    {
        using var dir = new TempDir();
        var path = dir.File("bomb.jpg");
        File.WriteAllBytes(path, ClaimingJpeg(26000, 26000));
        Assert.True(new FileInfo(path).Length < 10_000);
        AssertRefusedQuickly(path);
        Assert.Throws<ImageDecodeException>(() => ImageCodec.ReadSize(path));
    }

    [Fact]
    public void PngWhoseIhdrClaims26000x26000IsRefusedFromItsHeader()
    {
        using var dir = new TempDir();
        var path = dir.File("bomb.png");
        var png = ImageCodec.EncodePng(Pixels.Pattern(8, 8));
        // IHDR data at 16..24 (width, height big-endian), its CRC over "IHDR"+data at 29..32
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 26000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 26000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
        File.WriteAllBytes(path, png);
        AssertRefusedQuickly(path);
    }

    [Fact]
    public void TheLimitIsConfigurableAndReadSizeReportsTheHeader()
    {
        using var dir = new TempDir();
        var path = dir.File("small.jpg");
        File.WriteAllBytes(path, SmallJpeg());
        Assert.Equal((16, 16), ImageCodec.ReadSize(path));
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(path, new ImageLimits { MaxPixels = 255 }));
        Assert.Contains("16x16", e.Message);
        Assert.Equal(16, ImageCodec.Decode(path, new ImageLimits { MaxPixels = 256 }).Width);
    }

    // a 64x64 JPEG with a restart marker written over the middle of its entropy-coded data: libjpeg-turbo decodes
    // it with the warning "Corrupt JPEG data: premature end of data segment"
    static byte[] CorruptBodyJpeg()
    {
        var jpeg = TestJpeg.Encode(Pixels.Pattern(64, 64).Pixels, 64, 64, TestJpeg.PfRgb, TestJpeg.Samp420, 90);
        int sos = Enumerable.Range(2, jpeg.Length - 3).First(i => jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA);
        int at = (sos + jpeg.Length) / 2;
        jpeg[at] = 0xFF;
        jpeg[at + 1] = 0xD5;
        return jpeg;
    }

    [Fact]
    public void CorruptJpegBodyIsReportedNamingTheFile()
    {
        var warnings = new List<string>();
        var image = ImageCodec.Decode(CorruptBodyJpeg(), "warn.jpg", new ImageLimits { OnWarning = warnings.Add });
        Assert.Equal(64, image.Width);
        var w = Assert.Single(warnings);
        Assert.StartsWith("warn.jpg: corrupt JPEG data", w);
        Assert.Contains("premature end of data segment", w);
    }

    [Fact]
    public void CorruptJpegBodyIsAnErrorWhenStrict()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(CorruptBodyJpeg(), "strict.jpg", new ImageLimits { Strict = true }));
        Assert.Contains("strict.jpg", e.Message);
    }

    static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
