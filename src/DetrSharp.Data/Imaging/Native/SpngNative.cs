using System.Runtime.InteropServices;

namespace DetrSharp.Data.Imaging.Native;

/// <summary>The libspng 0.7 C API entry points this library uses (see /usr/include/spng.h).</summary>
internal static unsafe partial class SpngNative
{
    static SpngNative() => NativeCodecLibraries.EnsureRegistered();

    internal const int SPNG_CTX_ENCODER = 2;

    // enum spng_format
    internal const int SPNG_FMT_RGBA8 = 1;
    internal const int SPNG_FMT_RGBA16 = 2;
    internal const int SPNG_FMT_RGB8 = 4;
    internal const int SPNG_FMT_PNG = 256;
    internal const int SPNG_FMT_RAW = 512;

    // enum spng_color_type
    internal const byte SPNG_COLOR_TYPE_GRAYSCALE = 0;
    internal const byte SPNG_COLOR_TYPE_TRUECOLOR = 2;
    internal const byte SPNG_COLOR_TYPE_INDEXED = 3;
    internal const byte SPNG_COLOR_TYPE_GRAYSCALE_ALPHA = 4;
    internal const byte SPNG_COLOR_TYPE_TRUECOLOR_ALPHA = 6;

    // enum spng_option
    internal const int SPNG_IMG_COMPRESSION_LEVEL = 2;
    internal const int SPNG_IMG_COMPRESSION_STRATEGY = 5;
    internal const int SPNG_FILTER_CHOICE = 10;
    internal const int SPNG_ENCODE_TO_BUFFER = 12;

    internal const int SPNG_ENCODE_FINALIZE = 2;

    [StructLayout(LayoutKind.Sequential)]
    internal struct spng_ihdr
    {
        public uint width;
        public uint height;
        public byte bit_depth;
        public byte color_type;
        public byte compression_method;
        public byte filter_method;
        public byte interlace_method;
    }

    [LibraryImport(NativeCodecLibraries.Spng)]
    internal static partial IntPtr spng_ctx_new(int flags);

    [LibraryImport(NativeCodecLibraries.Spng)]
    internal static partial void spng_ctx_free(IntPtr ctx);

    [LibraryImport(NativeCodecLibraries.Spng)]
    internal static partial int spng_set_png_buffer(IntPtr ctx, byte* buf, nuint size);

    [LibraryImport(NativeCodecLibraries.Spng)]
    internal static partial int spng_set_image_limits(IntPtr ctx, uint width, uint height);

    [LibraryImport(NativeCodecLibraries.Spng)]
    internal static partial int spng_get_ihdr(IntPtr ctx, spng_ihdr* ihdr);

    [LibraryImport(NativeCodecLibraries.Spng)]
    internal static partial int spng_decoded_image_size(IntPtr ctx, int fmt, nuint* len);

    [LibraryImport(NativeCodecLibraries.Spng)]
    internal static partial int spng_decode_image(IntPtr ctx, byte* output, nuint len, int fmt, int flags);

    [LibraryImport(NativeCodecLibraries.Spng)]
    internal static partial int spng_set_option(IntPtr ctx, int option, int value);

    [LibraryImport(NativeCodecLibraries.Spng)]
    internal static partial int spng_set_ihdr(IntPtr ctx, spng_ihdr* ihdr);

    [LibraryImport(NativeCodecLibraries.Spng)]
    internal static partial int spng_encode_image(IntPtr ctx, byte* img, nuint len, int fmt, int flags);

    /// <summary>Returns the encoded PNG; ownership passes to the caller, who frees it with libc <c>free</c>.</summary>
    [LibraryImport(NativeCodecLibraries.Spng)]
    internal static partial byte* spng_get_png_buffer(IntPtr ctx, nuint* len, int* error);

    [LibraryImport(NativeCodecLibraries.Spng)]
    internal static partial IntPtr spng_strerror(int err);

    /// <summary>libspng's message for an error code.</summary>
    internal static string ErrorMessage(int err) =>
        $"{Marshal.PtrToStringUTF8(spng_strerror(err)) ?? "unknown libspng error"} (libspng error {err})";
}
