using System.Runtime.InteropServices;
using static DetrSharp.Data.Imaging.Native.SpngNative;

namespace DetrSharp.Data.Imaging;

/// <summary>PNG encoding of 8-bit RGB through libspng (non-interlaced, adaptive filtering).</summary>
internal static unsafe class PngEncoder
{
    /// <param name="image">The picture.</param>
    /// <param name="compressionLevel">zlib level 0-9, or -1 for libspng's default.</param>
    /// <param name="strategy">zlib strategy (0 default, 1 filtered, 2 Huffman only, 3 RLE), or -1 for libspng's default.</param>
    /// <param name="filterChoice">libspng filter choice bits (8 none ... 248 all), or -1 for the default (adaptive).</param>
    internal static byte[] Encode(RgbImage image, int compressionLevel, int strategy = -1, int filterChoice = -1)
    {
        IntPtr ctx = spng_ctx_new(SPNG_CTX_ENCODER);
        if (ctx == IntPtr.Zero) throw new InvalidOperationException("cannot create a libspng encoder");
        byte* png = null;
        try
        {
            Check(spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1));
            if (compressionLevel >= 0) Check(spng_set_option(ctx, SPNG_IMG_COMPRESSION_LEVEL, compressionLevel));
            if (strategy >= 0) Check(spng_set_option(ctx, SPNG_IMG_COMPRESSION_STRATEGY, strategy));
            if (filterChoice >= 0) Check(spng_set_option(ctx, SPNG_FILTER_CHOICE, filterChoice));
            var ihdr = new spng_ihdr
            {
                width = (uint)image.Width,
                height = (uint)image.Height,
                bit_depth = 8,
                color_type = SPNG_COLOR_TYPE_TRUECOLOR,
            };
            Check(spng_set_ihdr(ctx, &ihdr));
            fixed (byte* src = image.Pixels)
                Check(spng_encode_image(ctx, src, (nuint)image.Pixels.Length, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE));
            nuint length;
            int error;
            png = spng_get_png_buffer(ctx, &length, &error);
            Check(error);
            if (png == null) throw new InvalidOperationException("libspng returned no PNG buffer");
            return new ReadOnlySpan<byte>(png, checked((int)length)).ToArray();
        }
        finally
        {
            if (png != null) NativeMemory.Free(png); // spng's buffer comes from malloc
            spng_ctx_free(ctx);
        }
    }

    static void Check(int rc)
    {
        if (rc != 0) throw new InvalidOperationException("PNG encoding failed: " + ErrorMessage(rc));
    }
}
