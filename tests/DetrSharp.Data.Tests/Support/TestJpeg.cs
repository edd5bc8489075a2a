using System.Runtime.InteropServices;

namespace DetrSharp.Data.Tests.Support;

/// <summary>Test-only JPEG writer over TurboJPEG's compressor, and EXIF splicing.</summary>
internal static unsafe partial class TestJpeg
{
    const string Lib = "libturbojpeg.so.0";
    public const int PfRgb = 0, PfGray = 6, PfCmyk = 11;
    public const int Samp444 = 0, Samp422 = 1, Samp420 = 2, SampGray = 3;
    public const int FlagProgressive = 16384;

    [LibraryImport(Lib)] private static partial IntPtr tjInitCompress();
    [LibraryImport(Lib)] private static partial int tjCompress2(IntPtr handle, byte* srcBuf, int width, int pitch, int height, int pixelFormat,
        byte** jpegBuf, CULong* jpegSize, int jpegSubsamp, int jpegQual, int flags);
    [LibraryImport(Lib)] private static partial void tjFree(byte* buffer);
    [LibraryImport(Lib)] private static partial int tjDestroy(IntPtr handle);
    [LibraryImport(Lib)] private static partial IntPtr tjGetErrorStr2(IntPtr handle);

    /// <summary>Compresses packed pixels (RGB, gray or CMYK per <paramref name="pixelFormat"/>).</summary>
    public static byte[] Encode(byte[] pixels, int width, int height, int pixelFormat, int subsampling, int quality = 100, int flags = 0)
    {
        IntPtr h = tjInitCompress();
        byte* buf = null;
        try
        {
            CULong size = default;
            fixed (byte* src = pixels)
            {
                if (tjCompress2(h, src, width, 0, height, pixelFormat, &buf, &size, subsampling, quality, flags) != 0)
                    throw new InvalidOperationException("tjCompress2: " + Marshal.PtrToStringUTF8(tjGetErrorStr2(h)));
            }
            return new ReadOnlySpan<byte>(buf, checked((int)size.Value)).ToArray();
        }
        finally
        {
            if (buf != null) tjFree(buf);
            tjDestroy(h);
        }
    }

    /// <summary>An APP1 EXIF segment holding one IFD0 entry: Orientation (0x0112, SHORT) = <paramref name="orientation"/>.</summary>
    public static byte[] ExifSegment(int orientation, bool bigEndian)
    {
        var tiff = new List<byte>();
        void U16(int v) { if (bigEndian) { tiff.Add((byte)(v >> 8)); tiff.Add((byte)v); } else { tiff.Add((byte)v); tiff.Add((byte)(v >> 8)); } }
        void U32(int v) { if (bigEndian) { U16(v >> 16); U16(v & 0xFFFF); } else { U16(v & 0xFFFF); U16(v >> 16); } }
        tiff.AddRange(bigEndian ? "MM"u8.ToArray() : "II"u8.ToArray());
        U16(42);
        U32(8);          // IFD0 offset
        U16(2);          // two entries: an unrelated one first, then Orientation
        U16(0x010F); U16(2); U32(4); U32(0x00414243); // Make = "CBA\0" (ASCII, 4 bytes inline)
        U16(0x0112); U16(3); U32(1); U16(orientation); U16(0);
        U32(0);          // no next IFD
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        int length = payload.Length + 2;
        return new byte[] { 0xFF, 0xE1, (byte)(length >> 8), (byte)length }.Concat(payload).ToArray();
    }

    /// <summary>The JPEG with <paramref name="segment"/> inserted right after the SOI marker.</summary>
    public static byte[] InsertAfterSoi(byte[] jpeg, byte[] segment) =>
        jpeg.Take(2).Concat(segment).Concat(jpeg.Skip(2)).ToArray();
}
