using System.Buffers.Binary;
using System.Text;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// Writes a zip archive laid out like PyTorch's own writer (caffe2 <c>PyTorchStreamWriter</c> over miniz):
/// every record STORED under one folder prefix, its data starting at a multiple of 64 bytes (an
/// <c>FB</c> extra field of <c>Z</c> padding), CRC and sizes in a data descriptor after the data,
/// zip64 fields only where a size or offset needs them, and a zip64 end record before the classic one.
/// </summary>
public sealed class ZipWriter
{
    /// <summary>Data alignment of every record, as PyTorch writes it.</summary>
    public const int Alignment = 64;

    const int ChunkBytes = 4 << 20;
    const int WriteChunkBytes = 64 << 20;
    const ushort FlagDescriptorUtf8 = 0x0808;

    readonly Stream output;
    readonly List<(byte[] Name, uint Crc, long Size, long Offset)> written = new();
    readonly HashSet<string> names = new(StringComparer.Ordinal);
    long cursor;
    bool finished;

    /// <summary>The folder every record name is put under (<c>archive</c> for torch.save).</summary>
    public string Prefix { get; }

    /// <summary>Bytes written so far.</summary>
    public long Position => cursor;

    /// <summary>Starts an archive on <paramref name="output"/> (written sequentially, never sought).</summary>
    public ZipWriter(Stream output, string prefix = "archive")
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Contains('/')) throw new ArgumentException("prefix must be one folder name", nameof(prefix));
        this.output = output;
        Prefix = prefix;
    }

    /// <summary>Writes record <c>Prefix/name</c> holding <paramref name="data"/>.</summary>
    public unsafe void WriteRecord(string name, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data) WriteRecord(name, p, data.Length);
    }

    /// <summary>Writes record <c>Prefix/name</c> holding <paramref name="length"/> bytes of native memory, streamed in chunks.</summary>
    public unsafe void WriteRecord(string name, byte* data, long length)
    {
        BeginRecord(name, length, out var nameBytes, out long offset);
        uint crc = 0;
        for (long done = 0; done < length;)
        {
            int chunk = (int)Math.Min(ChunkBytes, length - done);
            var span = new ReadOnlySpan<byte>(data + done, chunk);
            crc = Crc32.Append(crc, span);
            output.Write(span);
            done += chunk;
        }
        cursor += length;
        EndRecord(nameBytes, crc, length, offset);
    }

    /// <summary>
    /// Writes record <c>Prefix/name</c> from native memory whose CRC-32 another thread is computing: the data is
    /// written first, then <paramref name="crc"/> is awaited for the data descriptor. The memory must not change
    /// until both are done.
    /// </summary>
    public unsafe void WriteRecord(string name, byte* data, long length, Task<uint> crc)
    {
        BeginRecord(name, length, out var nameBytes, out long offset);
        for (long done = 0; done < length;)
        {
            int chunk = (int)Math.Min(WriteChunkBytes, length - done);
            output.Write(new ReadOnlySpan<byte>(data + done, chunk));
            done += chunk;
        }
        cursor += length;
        EndRecord(nameBytes, crc.GetAwaiter().GetResult(), length, offset);
    }

    void BeginRecord(string name, long length, out byte[] nameBytes, out long offset)
    {
        if (finished) throw new InvalidOperationException("the archive is already finished");
        if (!names.Add(name)) throw new ArgumentException($"record '{name}' is written twice", nameof(name));
        nameBytes = Encoding.UTF8.GetBytes(Prefix + "/" + name);
        if (nameBytes.Length > ushort.MaxValue) throw new ArgumentException("record name too long", nameof(name));
        offset = cursor;
        bool bigSize = length >= uint.MaxValue, bigOffset = offset >= uint.MaxValue;
        int zip64Len = bigSize || bigOffset ? 4 + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0) : 0;
        long start = offset + 30 + nameBytes.Length + 4 + zip64Len;
        int pad = (int)((Alignment - start % Alignment) % Alignment);
        int extraLen = zip64Len + 4 + pad;

        var h = new byte[30 + nameBytes.Length + extraLen];
        var s = h.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], 0);                      // version needed (as miniz writes it)
        BinaryPrimitives.WriteUInt16LittleEndian(s[6..], FlagDescriptorUtf8);
        BinaryPrimitives.WriteUInt16LittleEndian(s[8..], 0);                      // STORED
        // time, date, crc: 0; sizes: 0 (in the descriptor), all-ones when zip64 carries them
        if (bigSize)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s[18..], uint.MaxValue);
            BinaryPrimitives.WriteUInt32LittleEndian(s[22..], uint.MaxValue);
        }
        BinaryPrimitives.WriteUInt16LittleEndian(s[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(s[28..], (ushort)extraLen);
        nameBytes.CopyTo(s[30..]);
        var x = s[(30 + nameBytes.Length)..];
        if (zip64Len > 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(x, 1);
            BinaryPrimitives.WriteUInt16LittleEndian(x[2..], (ushort)(zip64Len - 4));
            int q = 4;
            if (bigSize)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(x[q..], (ulong)length); q += 8;
                BinaryPrimitives.WriteUInt64LittleEndian(x[q..], (ulong)length); q += 8;
            }
            if (bigOffset) BinaryPrimitives.WriteUInt64LittleEndian(x[q..], (ulong)offset);
            x = x[zip64Len..];
        }
        x[0] = (byte)'F';
        x[1] = (byte)'B';
        BinaryPrimitives.WriteUInt16LittleEndian(x[2..], (ushort)pad);
        x.Slice(4, pad).Fill((byte)'Z');
        output.Write(h);
        cursor += h.Length;
    }

    void EndRecord(byte[] nameBytes, uint crc, long length, long offset)
    {
        bool big = length >= uint.MaxValue || offset >= uint.MaxValue;
        Span<byte> d = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(d, 0x08074b50);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], crc);
        int n;
        if (big)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(d[8..], (ulong)length);
            BinaryPrimitives.WriteUInt64LittleEndian(d[16..], (ulong)length);
            n = 24;
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(d[8..], (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(d[12..], (uint)length);
            n = 16;
        }
        output.Write(d[..n]);
        cursor += n;
        written.Add((nameBytes, crc, length, offset));
    }

    /// <summary>Writes the central directory and end records. The stream is flushed, not closed.</summary>
    public void Finish()
    {
        if (finished) return;
        finished = true;
        long cdStart = cursor;
        foreach (var (name, crc, size, offset) in written)
        {
            bool bigSize = size >= uint.MaxValue, bigOffset = offset >= uint.MaxValue;
            int zip64Len = bigSize || bigOffset ? 4 + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0) : 0;
            var c = new byte[46 + name.Length + zip64Len];
            var s = c.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(s, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(s[8..], FlagDescriptorUtf8);
            BinaryPrimitives.WriteUInt32LittleEndian(s[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(s[20..], bigSize ? uint.MaxValue : (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(s[24..], bigSize ? uint.MaxValue : (uint)size);
            BinaryPrimitives.WriteUInt16LittleEndian(s[28..], (ushort)name.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(s[30..], (ushort)zip64Len);
            BinaryPrimitives.WriteUInt32LittleEndian(s[42..], bigOffset ? uint.MaxValue : (uint)offset);
            name.CopyTo(s[46..]);
            if (zip64Len > 0)
            {
                var x = s[(46 + name.Length)..];
                BinaryPrimitives.WriteUInt16LittleEndian(x, 1);
                BinaryPrimitives.WriteUInt16LittleEndian(x[2..], (ushort)(zip64Len - 4));
                int q = 4;
                if (bigSize)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(x[q..], (ulong)size); q += 8;
                    BinaryPrimitives.WriteUInt64LittleEndian(x[q..], (ulong)size); q += 8;
                }
                if (bigOffset) BinaryPrimitives.WriteUInt64LittleEndian(x[q..], (ulong)offset);
            }
            output.Write(c);
            cursor += c.Length;
        }
        long cdSize = cursor - cdStart;
        long count = written.Count;

        Span<byte> e = stackalloc byte[56 + 20 + 22];
        e.Clear();
        long z64 = cursor;
        BinaryPrimitives.WriteUInt32LittleEndian(e, 0x06064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(e[4..], 44);
        BinaryPrimitives.WriteUInt16LittleEndian(e[12..], 0x031e);
        BinaryPrimitives.WriteUInt16LittleEndian(e[14..], 0x002d);
        BinaryPrimitives.WriteUInt64LittleEndian(e[24..], (ulong)count);
        BinaryPrimitives.WriteUInt64LittleEndian(e[32..], (ulong)count);
        BinaryPrimitives.WriteUInt64LittleEndian(e[40..], (ulong)cdSize);
        BinaryPrimitives.WriteUInt64LittleEndian(e[48..], (ulong)cdStart);
        var loc = e[56..];
        BinaryPrimitives.WriteUInt32LittleEndian(loc, 0x07064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(loc[8..], (ulong)z64);
        BinaryPrimitives.WriteUInt32LittleEndian(loc[16..], 1);
        var end = e[76..];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        ushort c16 = count >= ushort.MaxValue ? ushort.MaxValue : (ushort)count;
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], c16);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], c16);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], cdSize >= uint.MaxValue ? uint.MaxValue : (uint)cdSize);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], cdStart >= uint.MaxValue ? uint.MaxValue : (uint)cdStart);
        output.Write(e);
        cursor += e.Length;
        output.Flush();
    }
}
