using static DetrSharp.Data.Imaging.Native.SpngNative;

namespace DetrSharp.Data.Imaging;

/// <summary>
/// PNG decoding through libspng to 8-bit RGB: every colour type and bit depth, palettes, Adam7 interlacing.
/// Alpha and tRNS transparency are dropped (no compositing); 16-bit samples keep their high byte.
/// </summary>
internal static unsafe class PngDecoder
{
    // Refuse absurd headers before allocating; the managed buffer limit is checked as well.
    const uint MaxSide = 1u << 24;

    internal static RgbImage Decode(ReadOnlySpan<byte> data, string name, ImageLimits limits)
    {
        IntPtr ctx = spng_ctx_new(0);
        if (ctx == IntPtr.Zero) throw new ImageDecodeException(name, "cannot create a libspng decoder");
        try
        {
            fixed (byte* src = data)
            {
                Check(spng_set_image_limits(ctx, MaxSide, MaxSide), name, "bad PNG");
                Check(spng_set_png_buffer(ctx, src, (nuint)data.Length), name, "bad PNG");
                spng_ihdr ihdr;
                Check(spng_get_ihdr(ctx, &ihdr), name, "bad PNG header");
                limits.CheckPixels(name, "PNG", ihdr.width, ihdr.height);
                nuint length;
                Check(spng_decoded_image_size(ctx, SPNG_FMT_RGB8, &length), name, "bad PNG header");
                if (length > (nuint)Array.MaxLength || (ulong)length != (ulong)ihdr.width * ihdr.height * 3)
                    throw new ImageDecodeException(name, $"PNG of {ihdr.width}x{ihdr.height} pixels is too large to decode into memory");
                var pixels = new byte[(int)length];
                fixed (byte* dst = pixels)
                    Check(spng_decode_image(ctx, dst, length, SPNG_FMT_RGB8, 0), name, "corrupt or truncated PNG");
                return new RgbImage((int)ihdr.width, (int)ihdr.height, pixels);
            }
        }
        finally
        {
            spng_ctx_free(ctx);
        }
    }

    /// <summary>The size the IHDR declares (within the limits), without decoding pixels.</summary>
    internal static (int width, int height) ReadSize(ReadOnlySpan<byte> data, string name, ImageLimits limits)
    {
        IntPtr ctx = spng_ctx_new(0);
        if (ctx == IntPtr.Zero) throw new ImageDecodeException(name, "cannot create a libspng decoder");
        try
        {
            fixed (byte* src = data)
            {
                Check(spng_set_image_limits(ctx, MaxSide, MaxSide), name, "bad PNG");
                Check(spng_set_png_buffer(ctx, src, (nuint)data.Length), name, "bad PNG");
                spng_ihdr ihdr;
                Check(spng_get_ihdr(ctx, &ihdr), name, "bad PNG header");
                limits.CheckPixels(name, "PNG", ihdr.width, ihdr.height);
                return ((int)ihdr.width, (int)ihdr.height);
            }
        }
        finally
        {
            spng_ctx_free(ctx);
        }
    }

    static void Check(int rc, string name, string what)
    {
        if (rc != 0) throw new ImageDecodeException(name, $"{what}: {ErrorMessage(rc)}");
    }
}
