using DetrSharp.Data.Imaging;
using DetrSharp.Data.Tests.Support;

namespace DetrSharp.Data.Tests.Imaging;

public class CorruptImageTests
{
    static byte[] Png() => ImageCodec.EncodePng(Pixels.Pattern(32, 32));
    static byte[] Jpeg() => TestJpeg.Encode(Pixels.Pattern(32, 32).Pixels, 32, 32, TestJpeg.PfRgb, TestJpeg.Samp420, 90);

    [Fact]
    public void TruncatedPngNamesTheFileAndLibspngsMessage()
    {
        using var dir = new TempDir();
        var path = dir.File("cut.png");
        var png = Png();
        File.WriteAllBytes(path, png[..(png.Length / 2)]);
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("libspng", e.Message);
        Assert.Equal(path, e.ImageName);
    }

    [Fact]
    public void PngWithBadChunkCrcIsRejected()
    {
        var png = Png();
        png[29] ^= 0xFF; // IHDR's CRC
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(png, "crc.png"));
        Assert.Contains("crc.png", e.Message);
    }

    [Fact]
    public void PngWithOnlyASignatureIsRejected()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(Png()[..8], "sig.png"));
        Assert.Contains("sig.png", e.Message);
    }

    [Fact]
    public void TruncatedJpegNamesTheFileAndTurboJpegsMessage()
    {
        using var dir = new TempDir();
        var path = dir.File("cut.jpg");
        var jpeg = Jpeg();
        File.WriteAllBytes(path, jpeg[..(jpeg.Length * 2 / 3)]);
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("Premature end of JPEG file", e.Message);
    }

    [Fact]
    public void JpegMagicFollowedByGarbageIsRejected()
    {
        byte[] data = [0xFF, 0xD8, 0xFF, 0x00, .. "garbage, not a JPEG"u8];
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(data, "garbage.jpg"));
        Assert.Contains("garbage.jpg", e.Message);
    }

    [Fact]
    public void JpegCutInsideItsHeaderIsRejected()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(Jpeg()[..40], "header.jpg"));
        Assert.Contains("header.jpg", e.Message);
    }

    [Fact]
    public void UnknownFormatAndEmptyFileAreRejected()
    {
        var gif = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode("GIF89a\x01\0\x01\0"u8, "anim.gif"));
        Assert.Contains("anim.gif", gif.Message);
        Assert.Contains("not a JPEG or PNG", gif.Message);
        var empty = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode([], "empty.png"));
        Assert.Contains("empty", empty.Message);
    }

    [Fact]
    public void MissingFileIsAnImageDecodeException()
    {
        using var dir = new TempDir();
        var path = dir.File("nope.png");
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(path));
        Assert.Contains(path, e.Message);
        Assert.IsType<FileNotFoundException>(e.InnerException);
    }
}
