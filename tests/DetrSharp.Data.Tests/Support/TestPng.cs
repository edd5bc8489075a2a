using System.Runtime.InteropServices;

namespace DetrSharp.Data.Tests.Support;

/// <summary>
/// Test-only PNG writer over libspng's encoder for every colour type, bit depth, palette, tRNS and interlacing,
/// so the decoder is tested on files whose pixels are known.
/// </summary>
internal static unsafe partial class TestPng
{
    const string Lib = "libspng.so.0";
    public const byte Gray = 0, Rgb = 2, Indexed = 3, GrayAlpha = 4, Rgba = 6;
    const int SPNG_CTX_ENCODER = 2, SPNG_ENCODE_TO_BUFFER = 12, SPNG_FMT_RAW = 512, SPNG_ENCODE_FINALIZE = 2;

    [StructLayout(LayoutKind.Sequential)]
    struct Ihdr { public uint width, height; public byte bit_depth, color_type, compression_method, filter_method, interlace_method; }

    [StructLayout(LayoutKind.Sequential)]
    struct Plte { public uint n_entries; public fixed byte entries[256 * 4]; }

    [StructLayout(LayoutKind.Sequential)]
    struct Trns { public ushort gray, red, green, blue; public uint n_type3_entries; public fixed byte type3_alpha[256]; }

    [LibraryImport(Lib)] private static partial IntPtr spng_ctx_new(int flags);
    [LibraryImport(Lib)] private static partial void spng_ctx_free(IntPtr ctx);
    [LibraryImport(Lib)] private static partial int spng_set_option(IntPtr ctx, int option, int value);
    [LibraryImport(Lib)] private static partial int spng_set_ihdr(IntPtr ctx, Ihdr* ihdr);
    [LibraryImport(Lib)] private static partial int spng_set_plte(IntPtr ctx, Plte* plte);
    [LibraryImport(Lib)] private static partial int spng_set_trns(IntPtr ctx, Trns* trns);
    [LibraryImport(Lib)] private static partial int spng_encode_image(IntPtr ctx, byte* img, nuint len, int fmt, int flags);
    [LibraryImport(Lib)] private static partial byte* spng_get_png_buffer(IntPtr ctx, nuint* len, int* error);

    /// <summary>Encodes raw PNG samples (big-endian for 16-bit, packed rows for sub-byte depths).</summary>
    /// <param name="palette">RGB triples for indexed images.</param>
    /// <param name="paletteAlpha">tRNS alpha per palette entry (indexed images).</param>
    /// <param name="transparentColor">tRNS colour key for gray/RGB images (gray uses the first value).</param>
    public static byte[] Encode(int width, int height, byte colorType, byte bitDepth, byte[] samples, bool interlaced = false,
        byte[]? palette = null, byte[]? paletteAlpha = null, ushort[]? transparentColor = null)
    {
        IntPtr ctx = spng_ctx_new(SPNG_CTX_ENCODER);
        byte* png = null;
        try
        {
            Check(spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1));
            var ihdr = new Ihdr { width = (uint)width, height = (uint)height, bit_depth = bitDepth, color_type = colorType, interlace_method = (byte)(interlaced ? 1 : 0) };
            Check(spng_set_ihdr(ctx, &ihdr));
            if (palette is not null)
            {
                var plte = new Plte { n_entries = (uint)(palette.Length / 3) };
                for (int i = 0; i < palette.Length / 3; i++)
                    for (int c = 0; c < 3; c++) plte.entries[i * 4 + c] = palette[i * 3 + c];
                Check(spng_set_plte(ctx, &plte));
            }
            if (paletteAlpha is not null || transparentColor is not null)
            {
                var trns = new Trns();
                if (paletteAlpha is not null)
                {
                    trns.n_type3_entries = (uint)paletteAlpha.Length;
                    for (int i = 0; i < paletteAlpha.Length; i++) trns.type3_alpha[i] = paletteAlpha[i];
                }
                if (transparentColor is not null)
                {
                    trns.gray = transparentColor[0];
                    if (transparentColor.Length == 3) { trns.red = transparentColor[0]; trns.green = transparentColor[1]; trns.blue = transparentColor[2]; }
                }
                Check(spng_set_trns(ctx, &trns));
            }
            fixed (byte* p = samples)
                Check(spng_encode_image(ctx, p, (nuint)samples.Length, SPNG_FMT_RAW, SPNG_ENCODE_FINALIZE));
            nuint len;
            int err;
            png = spng_get_png_buffer(ctx, &len, &err);
            Check(err);
            return new ReadOnlySpan<byte>(png, (int)len).ToArray();
        }
        finally
        {
            if (png != null) NativeMemory.Free(png);
            spng_ctx_free(ctx);
        }
    }

    static void Check(int rc)
    {
        if (rc != 0) throw new InvalidOperationException($"test PNG encoder: libspng error {rc}");
    }
}
