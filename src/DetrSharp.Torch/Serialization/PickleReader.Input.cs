using System.Numerics;
using System.Text;

namespace DetrSharp.Torch.Serialization;

// Reading the pickle's bytes: a buffered window over the source, counted values, text lines and LONG1/LONG4 integers.
public partial class PickleReader
{
    byte ReadByte()
    {
        if (position >= bufferStart + bufferLength || position < bufferStart) Fill(1);
        return buffer[position++ - bufferStart];
    }

    ReadOnlySpan<byte> ReadBytes(int n)
    {
        if (position < bufferStart || position + n > bufferStart + bufferLength) Fill(n);
        var span = buffer.AsSpan((int)(position - bufferStart), n);
        position += n;
        return span;
    }

    ReadOnlySpan<byte> ReadCounted(long n)
    {
        if (n < 0 || n > source.Length - position)
            throw Error($"a {n}-byte value runs past the end of the data ({source.Length - position} bytes left): truncated or corrupt");
        if (n > Array.MaxLength) throw Error($"a {n}-byte value is too large");
        return ReadBytes((int)n);
    }

    string ReadUtf8(long n) => Encoding.UTF8.GetString(ReadCounted(n));

    string ReadUtf8(ulong n) => ReadUtf8((long)Math.Min(n, long.MaxValue));

    ReadOnlySpan<byte> ReadCounted(ulong n) => ReadCounted((long)Math.Min(n, long.MaxValue));

    void Fill(int need)
    {
        long left = source.Length - position;
        if (need > left) throw Error("pickle data ends before its STOP opcode: truncated or corrupt");
        if (need > buffer.Length) buffer = new byte[Math.Max(need, buffer.Length * 2)];
        bufferStart = position;
        bufferLength = (int)Math.Min(buffer.Length, left);
        source.Read(bufferStart, buffer.AsSpan(0, bufferLength));
    }

    string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            byte b = ReadByte();
            if (b == (byte)'\n') break;
            sb.Append((char)b);
            if (sb.Length > 1 << 24) throw Error("text line longer than 16 MiB");
        }
        if (sb.Length > 0 && sb[^1] == '\r') sb.Length--;
        return sb.ToString();
    }

    object ReadLong(int n)
    {
        if (n == 0) return 0L;
        var bytes = ReadCounted(n);
        var v = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return v >= long.MinValue && v <= long.MaxValue ? (object)(long)v : v;
    }
}
