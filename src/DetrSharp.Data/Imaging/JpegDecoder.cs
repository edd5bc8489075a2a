using System.Runtime.InteropServices;
using static DetrSharp.Data.Imaging.Native.TurboJpegNative;

namespace DetrSharp.Data.Imaging;

/// <summary>
/// JPEG decoding through TurboJPEG: baseline, progressive and arithmetic-coded; grayscale and YCbCr to RGB by
/// libjpeg-turbo (accurate integer DCT and fancy upsampling, as Pillow), CMYK/YCCK to RGB here.
/// </summary>
internal static unsafe class JpegDecoder
{
    // libjpeg's JWRN_JPEG_EOF: the data ran out. Other warnings (e.g. extraneous bytes before a marker)
    // leave a complete picture and are accepted, as Pillow accepts them, and reported (ImageLimits.OnWarning),
    // or refused under ImageLimits.Strict.
    const string TruncationWarning = "Premature end of JPEG file";

    internal static RgbImage Decode(ReadOnlySpan<byte> data, string name, ImageLimits limits, bool applyExifOrientation)
    {
        var image = DecodePixels(data, name, limits);
        if (!applyExifOrientation) return image;
        var header = JpegHeaderScanner.Scan(data);
        if (header.ExifOffset < 0) return image;
        int orientation = ExifOrientation.Read(data.Slice(header.ExifOffset, header.ExifLength));
        return ImageOrientation.Apply(image, orientation);
    }

    /// <summary>The size the header declares (within the limits), without decoding pixels.</summary>
    internal static (int width, int height) ReadSize(ReadOnlySpan<byte> data, string name, ImageLimits limits)
    {
        IntPtr handle = tjInitDecompress();
        if (handle == IntPtr.Zero) throw new ImageDecodeException(name, "cannot create a TurboJPEG decompressor");
        try
        {
            fixed (byte* src = data)
            {
                if (tjDecompressHeader3(handle, src, new CULong((nuint)data.Length), out int w, out int h, out _, out _) != 0 || w <= 0 || h <= 0)
                    throw new ImageDecodeException(name, "bad JPEG header: " + ErrorMessage(handle));
                limits.CheckPixels(name, "JPEG", w, h);
                return (w, h);
            }
        }
        finally
        {
            tjDestroy(handle);
        }
    }

    static RgbImage DecodePixels(ReadOnlySpan<byte> data, string name, ImageLimits limits)
    {
        IntPtr handle = tjInitDecompress();
        if (handle == IntPtr.Zero) throw new ImageDecodeException(name, "cannot create a TurboJPEG decompressor");
        try
        {
            fixed (byte* src = data)
            {
                var size = new CULong((nuint)data.Length);
                if (tjDecompressHeader3(handle, src, size, out int w, out int h, out _, out int colorspace) != 0 || w <= 0 || h <= 0)
                    throw new ImageDecodeException(name, "bad JPEG header: " + ErrorMessage(handle));
                limits.CheckPixels(name, "JPEG", w, h);
                bool cmyk = colorspace is TJCS_CMYK or TJCS_YCCK;
                int channels = cmyk ? 4 : 3;
                if ((long)w * h * channels > Array.MaxLength)
                    throw new ImageDecodeException(name, $"JPEG of {w}x{h} pixels is too large to decode into memory");
                var pixels = new byte[w * h * channels];
                fixed (byte* dst = pixels)
                {
                    if (tjDecompress2(handle, src, size, dst, w, 0, h, cmyk ? TJPF_CMYK : TJPF_RGB, 0) != 0)
                    {
                        string message = ErrorMessage(handle);
                        if (tjGetErrorCode(handle) != TJERR_WARNING || message.Contains(TruncationWarning, StringComparison.Ordinal) || limits.Strict)
                            throw new ImageDecodeException(name, "corrupt or truncated JPEG: " + message);
                        limits.OnWarning?.Invoke($"{name}: corrupt JPEG data, decoded anyway: {message}");
                    }
                }
                if (!cmyk) return new RgbImage(w, h, pixels);
                bool inverted = JpegHeaderScanner.Scan(data).HasAdobeMarker;
                return new RgbImage(w, h, CmykConversion.ToRgb(pixels, inverted));
            }
        }
        finally
        {
            tjDestroy(handle);
        }
    }
}
