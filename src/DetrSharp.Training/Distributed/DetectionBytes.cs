using System.Buffers.Binary;
using DetrSharp.Evaluation;

namespace DetrSharp.Training.Distributed;

/// <summary>
/// Detections as bytes for a gather between ranks, exactly (float64 values as stored, little-endian): per detection
/// the image's dataset position (int32), image id, category id (int64), box x, y, width, height and score (float64).
/// </summary>
public static class DetectionBytes
{
    const int Size = 4 + 8 + 8 + 5 * 8;

    public static byte[] Encode(IReadOnlyList<CocoDetection> detections, Func<long, int> positionOf)
    {
        var bytes = new byte[detections.Count * Size];
        for (int i = 0; i < detections.Count; i++)
        {
            var d = detections[i];
            var s = bytes.AsSpan(i * Size, Size);
            BinaryPrimitives.WriteInt32LittleEndian(s, positionOf(d.ImageId));
            BinaryPrimitives.WriteInt64LittleEndian(s[4..], d.ImageId);
            BinaryPrimitives.WriteInt64LittleEndian(s[12..], d.CategoryId);
            BinaryPrimitives.WriteDoubleLittleEndian(s[20..], d.Box.X);
            BinaryPrimitives.WriteDoubleLittleEndian(s[28..], d.Box.Y);
            BinaryPrimitives.WriteDoubleLittleEndian(s[36..], d.Box.Width);
            BinaryPrimitives.WriteDoubleLittleEndian(s[44..], d.Box.Height);
            BinaryPrimitives.WriteDoubleLittleEndian(s[52..], d.Score);
        }
        return bytes;
    }

    /// <exception cref="ArgumentException">bytes that are not a whole number of detections</exception>
    public static List<(int Position, CocoDetection Detection)> Decode(byte[] bytes)
    {
        if (bytes.Length % Size != 0)
            throw new ArgumentException($"a gathered detection list of {bytes.Length} bytes is not a whole number of {Size}-byte detections", nameof(bytes));
        var result = new List<(int, CocoDetection)>(bytes.Length / Size);
        for (int o = 0; o < bytes.Length; o += Size)
        {
            var s = bytes.AsSpan(o, Size);
            var box = new CocoBox(BinaryPrimitives.ReadDoubleLittleEndian(s[20..]), BinaryPrimitives.ReadDoubleLittleEndian(s[28..]),
                BinaryPrimitives.ReadDoubleLittleEndian(s[36..]), BinaryPrimitives.ReadDoubleLittleEndian(s[44..]));
            result.Add((BinaryPrimitives.ReadInt32LittleEndian(s), new CocoDetection(BinaryPrimitives.ReadInt64LittleEndian(s[4..]),
                BinaryPrimitives.ReadInt64LittleEndian(s[12..]), box, BinaryPrimitives.ReadDoubleLittleEndian(s[52..]))));
        }
        return result;
    }
}
