using System.Runtime.InteropServices;

namespace DetrSharp.Data.Imaging.Native;

/// <summary>
/// The TurboJPEG 2.x C API entry points this library uses (see /usr/include/turbojpeg.h).
/// C <c>unsigned long</c> is <see cref="CULong"/>. A handle is not thread-safe: one per call.
/// </summary>
internal static unsafe partial class TurboJpegNative
{
    static TurboJpegNative() => NativeCodecLibraries.EnsureRegistered();

    // enum TJPF
    internal const int TJPF_RGB = 0;
    internal const int TJPF_GRAY = 6;
    internal const int TJPF_CMYK = 11;

    // enum TJCS
    internal const int TJCS_RGB = 0;
    internal const int TJCS_YCbCr = 1;
    internal const int TJCS_GRAY = 2;
    internal const int TJCS_CMYK = 3;
    internal const int TJCS_YCCK = 4;

    // enum TJSAMP
    internal const int TJSAMP_444 = 0;
    internal const int TJSAMP_422 = 1;
    internal const int TJSAMP_420 = 2;
    internal const int TJSAMP_GRAY = 3;

    internal const int TJFLAG_ACCURATEDCT = 4096;
    internal const int TJFLAG_PROGRESSIVE = 16384;

    // enum TJERR
    internal const int TJERR_WARNING = 0;
    internal const int TJERR_FATAL = 1;

    [LibraryImport(NativeCodecLibraries.TurboJpeg)]
    internal static partial IntPtr tjInitDecompress();

    [LibraryImport(NativeCodecLibraries.TurboJpeg)]
    internal static partial IntPtr tjInitCompress();

    [LibraryImport(NativeCodecLibraries.TurboJpeg)]
    internal static partial int tjDecompressHeader3(IntPtr handle, byte* jpegBuf, CULong jpegSize,
        out int width, out int height, out int jpegSubsamp, out int jpegColorspace);

    [LibraryImport(NativeCodecLibraries.TurboJpeg)]
    internal static partial int tjDecompress2(IntPtr handle, byte* jpegBuf, CULong jpegSize, byte* dstBuf,
        int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(NativeCodecLibraries.TurboJpeg)]
    internal static partial int tjCompress2(IntPtr handle, byte* srcBuf, int width, int pitch, int height, int pixelFormat,
        byte** jpegBuf, CULong* jpegSize, int jpegSubsamp, int jpegQual, int flags);

    [LibraryImport(NativeCodecLibraries.TurboJpeg)]
    internal static partial void tjFree(byte* buffer);

    [LibraryImport(NativeCodecLibraries.TurboJpeg)]
    internal static partial IntPtr tjGetErrorStr2(IntPtr handle);

    [LibraryImport(NativeCodecLibraries.TurboJpeg)]
    internal static partial int tjGetErrorCode(IntPtr handle);

    [LibraryImport(NativeCodecLibraries.TurboJpeg)]
    internal static partial int tjDestroy(IntPtr handle);

    /// <summary>The handle's last error message.</summary>
    internal static string ErrorMessage(IntPtr handle) =>
        Marshal.PtrToStringUTF8(tjGetErrorStr2(handle)) ?? "unknown TurboJPEG error";
}
