using System.Buffers.Binary;

namespace DetrSharp.Data.Imaging;

/// <summary>What the JPEG header segments (SOI up to the first SOS) say that TurboJPEG does not report.</summary>
/// <param name="ExifOffset">Offset of the EXIF TIFF block (after "Exif\0\0") in the file, or -1.</param>
/// <param name="ExifLength">Length of the EXIF TIFF block.</param>
/// <param name="HasAdobeMarker">An APP14 "Adobe" segment is present (its CMYK samples are stored inverted).</param>
internal readonly record struct JpegHeaderInfo(int ExifOffset, int ExifLength, bool HasAdobeMarker);

/// <summary>Walks the marker segments of a JPEG header in managed code, never throwing: malformed data just ends the walk (TurboJPEG reports it).</summary>
internal static class JpegHeaderScanner
{
    const byte SOS = 0xDA, EOI = 0xD9, APP1 = 0xE1, APP14 = 0xEE;

    static ReadOnlySpan<byte> ExifId => "Exif\0\0"u8;
    static ReadOnlySpan<byte> AdobeId => "Adobe"u8;

    internal static JpegHeaderInfo Scan(ReadOnlySpan<byte> data)
    {
        int exifOffset = -1, exifLength = 0;
        bool adobe = false;
        int pos = 2; // after SOI
        while (pos < data.Length)
        {
            if (data[pos] != 0xFF) break;
            while (pos < data.Length && data[pos] == 0xFF) pos++; // fill bytes
            if (pos >= data.Length) break;
            byte marker = data[pos++];
            if (marker == SOS || marker == EOI) break;
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue; // standalone markers
            if (pos + 2 > data.Length) break;
            int length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(pos, 2));
            if (length < 2 || pos + length > data.Length) break;
            var payload = data.Slice(pos + 2, length - 2);
            if (marker == APP1 && exifOffset < 0 && payload.StartsWith(ExifId))
            {
                exifOffset = pos + 2 + ExifId.Length;
                exifLength = payload.Length - ExifId.Length;
            }
            else if (marker == APP14 && payload.StartsWith(AdobeId))
                adobe = true;
            pos += length;
        }
        return new JpegHeaderInfo(exifOffset, exifLength, adobe);
    }
}
