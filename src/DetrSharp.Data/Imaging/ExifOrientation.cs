using System.Buffers.Binary;

namespace DetrSharp.Data.Imaging;

/// <summary>
/// Reads the EXIF orientation (TIFF tag 0x0112 in IFD0, values 1-8) from an EXIF TIFF block.
/// Anything malformed or missing reads as 1 (no transform), as image viewers do.
/// </summary>
public static class ExifOrientation
{
    const ushort OrientationTag = 0x0112;
    const ushort TypeShort = 3, TypeLong = 4;

    /// <summary>The orientation in the TIFF block (the APP1 payload after "Exif\0\0"), or 1.</summary>
    public static int Read(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8) return 1;
        bool little;
        if (tiff[0] == (byte)'I' && tiff[1] == (byte)'I') little = true;
        else if (tiff[0] == (byte)'M' && tiff[1] == (byte)'M') little = false;
        else return 1;
        if (U16(tiff, 2, little) != 42) return 1;
        long ifd = U32(tiff, 4, little);
        if (ifd < 8 || ifd + 2 > tiff.Length) return 1;
        int count = U16(tiff, (int)ifd, little);
        for (int i = 0; i < count; i++)
        {
            long entry = ifd + 2 + 12L * i;
            if (entry + 12 > tiff.Length) return 1;
            int e = (int)entry;
            if (U16(tiff, e, little) != OrientationTag) continue;
            int type = U16(tiff, e + 2, little);
            long value = type switch
            {
                TypeShort => U16(tiff, e + 8, little),
                TypeLong => U32(tiff, e + 8, little),
                _ => 1,
            };
            return value is >= 1 and <= 8 ? (int)value : 1;
        }
        return 1;
    }

    static int U16(ReadOnlySpan<byte> s, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(s.Slice(at, 2)) : BinaryPrimitives.ReadUInt16BigEndian(s.Slice(at, 2));

    static long U32(ReadOnlySpan<byte> s, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(s.Slice(at, 4)) : BinaryPrimitives.ReadUInt32BigEndian(s.Slice(at, 4));
}
