using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// Reads a zip archive the way PyTorch's checkpoints need it: the central directory (zip64 too),
/// STORED and DEFLATE records, and a CRC-32 check of every record read. Errors name the file and
/// the record.
/// </summary>
public sealed class ZipReader
{
    const uint LocalSig = 0x04034b50, CentralSig = 0x02014b50, EndSig = 0x06054b50;
    const uint Zip64EndSig = 0x06064b50, Zip64LocatorSig = 0x07064b50;
    const int ChunkBytes = 1 << 20;
    const long MapThreshold = 64 << 10;

    readonly ByteSource source;
    readonly Dictionary<string, ZipEntry> byName = new(StringComparer.Ordinal);

    /// <summary>The records in central-directory order.</summary>
    public IReadOnlyList<ZipEntry> Entries { get; }

    /// <summary>The archive's source (its name is used in error messages).</summary>
    public ByteSource Source => source;

    /// <summary>Parses the central directory of <paramref name="source"/>.</summary>
    public ZipReader(ByteSource source)
    {
        this.source = source;
        Entries = ReadDirectory();
        foreach (var e in Entries) byName.TryAdd(e.Name, e);
    }

    /// <summary>True when the source starts with a zip local-file header (PyTorch's own test).</summary>
    public static bool LooksLikeZip(ByteSource source)
    {
        if (source.Length < 4) return false;
        Span<byte> b = stackalloc byte[4];
        source.Read(0, b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b) == LocalSig;
    }

    /// <summary>The record with this exact name, or null.</summary>
    public ZipEntry? Find(string name) => byName.GetValueOrDefault(name);

    CheckpointFormatException Corrupt(string problem) => new(source.Name, problem);

    List<ZipEntry> ReadDirectory()
    {
        long len = source.Length;
        if (len < 22) throw Corrupt($"not a valid zip archive: only {len} bytes, no end-of-central-directory record");
        int tailLen = (int)Math.Min(len, 22 + 65535);
        var tail = source.ReadArray(len - tailLen, tailLen);
        int eocd = -1;
        for (int i = tailLen - 22; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndSig
                && i + 22 + BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20)) <= tailLen)
            {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) throw Corrupt("zip archive is truncated or corrupt: no end-of-central-directory record");
        long eocdPos = len - tailLen + eocd;
        var end = tail.AsSpan(eocd);
        long count = BinaryPrimitives.ReadUInt16LittleEndian(end[10..]);
        long cdSize = BinaryPrimitives.ReadUInt32LittleEndian(end[12..]);
        long cdOffset = BinaryPrimitives.ReadUInt32LittleEndian(end[16..]);

        // A zip64 locator sits right before the classic end record.
        if (eocdPos >= 20)
        {
            Span<byte> loc = stackalloc byte[20];
            source.Read(eocdPos - 20, loc);
            if (BinaryPrimitives.ReadUInt32LittleEndian(loc) == Zip64LocatorSig)
            {
                long z64 = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(loc[8..]), long.MaxValue);
                Span<byte> rec = stackalloc byte[56];
                if (z64 < 0 || z64 > len - 56) throw Corrupt("zip archive is corrupt: zip64 end record offset out of range");
                source.Read(z64, rec);
                if (BinaryPrimitives.ReadUInt32LittleEndian(rec) != Zip64EndSig)
                    throw Corrupt("zip archive is corrupt: bad zip64 end-of-central-directory signature");
                count = Clamp(BinaryPrimitives.ReadUInt64LittleEndian(rec[32..]));
                cdSize = Clamp(BinaryPrimitives.ReadUInt64LittleEndian(rec[40..]));
                cdOffset = Clamp(BinaryPrimitives.ReadUInt64LittleEndian(rec[48..]));
            }
        }
        if (cdOffset > len || cdSize > len - cdOffset)
            throw Corrupt($"zip archive is truncated or corrupt: central directory ({cdSize} bytes at {cdOffset}) lies outside the {len}-byte file");
        if (cdSize > int.MaxValue || count < 0 || count > cdSize / 46)
            throw Corrupt($"zip archive is corrupt: {count} entries cannot fit a {cdSize}-byte central directory");

        var cd = source.ReadArray(cdOffset, (int)cdSize);
        var list = new List<ZipEntry>((int)count);
        int p = 0;
        for (long i = 0; i < count; i++)
        {
            if (p + 46 > cd.Length || BinaryPrimitives.ReadUInt32LittleEndian(cd.AsSpan(p)) != CentralSig)
                throw Corrupt($"zip archive is corrupt: central directory entry {i} has a bad signature");
            var h = cd.AsSpan(p);
            int flags = BinaryPrimitives.ReadUInt16LittleEndian(h[8..]);
            int method = BinaryPrimitives.ReadUInt16LittleEndian(h[10..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(h[16..]);
            long csize = BinaryPrimitives.ReadUInt32LittleEndian(h[20..]);
            long usize = BinaryPrimitives.ReadUInt32LittleEndian(h[24..]);
            int nameLen = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
            int extraLen = BinaryPrimitives.ReadUInt16LittleEndian(h[30..]);
            int commentLen = BinaryPrimitives.ReadUInt16LittleEndian(h[32..]);
            long offset = BinaryPrimitives.ReadUInt32LittleEndian(h[42..]);
            if (p + 46 + nameLen + extraLen + commentLen > cd.Length)
                throw Corrupt($"zip archive is corrupt: central directory entry {i} runs past the directory");
            var nameBytes = h.Slice(46, nameLen);
            string name = (flags & 0x800) != 0 ? Encoding.UTF8.GetString(nameBytes) : Encoding.Latin1.GetString(nameBytes);
            var extra = h.Slice(46 + nameLen, extraLen);
            if (usize == 0xFFFFFFFF || csize == 0xFFFFFFFF || offset == 0xFFFFFFFF)
                ReadZip64Extra(extra, name, ref usize, ref csize, ref offset);
            if (offset > len || csize > len - offset)
                throw Corrupt($"zip record '{name}' ({csize} bytes at offset {offset}) lies outside the {len}-byte file: truncated or corrupt");
            list.Add(new ZipEntry(name, method, flags, crc, csize, usize, offset));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return list;
    }

    void ReadZip64Extra(ReadOnlySpan<byte> extra, string name, ref long usize, ref long csize, ref long offset)
    {
        while (extra.Length >= 4)
        {
            int id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            int size = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (size > extra.Length - 4) break;
            if (id == 1)
            {
                var f = extra.Slice(4, size);
                if (usize == 0xFFFFFFFF) { if (f.Length < 8) break; usize = Clamp(BinaryPrimitives.ReadUInt64LittleEndian(f)); f = f[8..]; }
                if (csize == 0xFFFFFFFF) { if (f.Length < 8) break; csize = Clamp(BinaryPrimitives.ReadUInt64LittleEndian(f)); f = f[8..]; }
                if (offset == 0xFFFFFFFF) { if (f.Length < 8) break; offset = Clamp(BinaryPrimitives.ReadUInt64LittleEndian(f)); }
                return;
            }
            extra = extra[(4 + size)..];
        }
        throw Corrupt($"zip record '{name}' is corrupt: its zip64 extra field is missing or short");
    }

    static long Clamp(ulong v) => v > long.MaxValue ? long.MaxValue : (long)v;

    /// <summary>Where the record's bytes start (after its local header), checked against the file's length.</summary>
    public long DataOffset(ZipEntry e)
    {
        Span<byte> h = stackalloc byte[30];
        if (e.LocalHeaderOffset > source.Length - 30)
            throw Corrupt($"zip record '{e.Name}': local header lies outside the file (truncated or corrupt)");
        source.Read(e.LocalHeaderOffset, h);
        if (BinaryPrimitives.ReadUInt32LittleEndian(h) != LocalSig)
            throw Corrupt($"zip record '{e.Name}': bad local header signature at offset {e.LocalHeaderOffset}");
        long data = e.LocalHeaderOffset + 30 + BinaryPrimitives.ReadUInt16LittleEndian(h[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
        if (data > source.Length || e.CompressedSize > source.Length - data)
            throw Corrupt($"zip record '{e.Name}': {e.CompressedSize} bytes at offset {data} run past the end of the {source.Length}-byte file (truncated)");
        return data;
    }

    void CheckSupported(ZipEntry e)
    {
        if ((e.Flags & 1) != 0) throw Corrupt($"zip record '{e.Name}' is encrypted, which is not supported");
        if (e.Method != ZipEntry.Stored && e.Method != ZipEntry.Deflated)
            throw Corrupt($"zip record '{e.Name}' uses compression method {e.Method}; only STORED (0) and DEFLATE (8) are supported");
        if (e.Method == ZipEntry.Stored && e.CompressedSize != e.Size)
            throw Corrupt($"zip record '{e.Name}' is STORED but its sizes differ ({e.CompressedSize} vs {e.Size}): corrupt directory");
        // DEFLATE cannot expand by more than ~1032x: a larger claim is a corrupt (or hostile) directory.
        if (e.Method == ZipEntry.Deflated && e.Size > e.CompressedSize * 1032 + 1024)
            throw Corrupt($"zip record '{e.Name}' claims {e.Size} bytes from {e.CompressedSize} compressed bytes: corrupt directory");
    }

    /// <summary>The whole record, decompressed and CRC-checked.</summary>
    public byte[] ReadAllBytes(ZipEntry e)
    {
        CheckSupported(e);
        if (e.Size > Array.MaxLength) throw Corrupt($"zip record '{e.Name}' is too large to read into memory ({e.Size} bytes)");
        var bytes = GC.AllocateUninitializedArray<byte>((int)e.Size);
        unsafe
        {
            fixed (byte* p = bytes) ReadInto(e, p, bytes.Length);
        }
        return bytes;
    }

    /// <summary>
    /// Copies the first <paramref name="count"/> bytes of the record into native memory and checks the record's
    /// CRC. STORED records are copied straight from the memory-mapped file with the CRC folded in the same pass
    /// (or read in 1 MiB chunks, CRC-checked while in cache, where the source cannot be mapped). The rest of a
    /// longer record is read only to finish its CRC; a record shorter than <paramref name="count"/> is an error.
    /// </summary>
    public unsafe void ReadInto(ZipEntry e, byte* destination, long count)
    {
        CheckSupported(e);
        if (count < 0 || count > e.Size)
            throw Corrupt($"zip record '{e.Name}' holds {e.Size} bytes, {count} are needed");
        long data = DataOffset(e);
        uint crc = 0;
        if (e.Method == ZipEntry.Stored)
        {
            byte* mapped = count >= MapThreshold ? source.Pointer : null;
            if (mapped != null)
            {
                // One pass: copy from the mapped file and fold the CRC over the same bytes.
                crc = Crc32.CopyAndAppend(0, mapped + data, destination, count);
                if (count < e.Size) crc = Crc32.Append(crc, mapped + data + count, e.Size - count);
            }
            else
            {
                long done = 0;
                while (done < count)
                {
                    int chunk = (int)Math.Min(ChunkBytes, count - done);
                    source.Read(data + done, destination + done, chunk);
                    crc = Crc32.Append(crc, destination + done, chunk);
                    done += chunk;
                }
                if (done < e.Size) crc = CrcOfRest(data + done, e.Size - done, crc);
            }
        }
        else
        {
            crc = Inflate(e, data, destination, count);
        }
        if (crc != e.Crc)
            throw Corrupt($"zip record '{e.Name}' fails its CRC-32 check (stored {e.Crc:x8}, computed {crc:x8}): the file is corrupt");
    }

    uint CrcOfRest(long offset, long count, uint crc)
    {
        var buf = new byte[(int)Math.Min(count, ChunkBytes)];
        while (count > 0)
        {
            int n = (int)Math.Min(count, buf.Length);
            source.Read(offset, buf.AsSpan(0, n));
            crc = Crc32.Append(crc, buf.AsSpan(0, n));
            offset += n;
            count -= n;
        }
        return crc;
    }

    unsafe uint Inflate(ZipEntry e, long data, byte* destination, long count)
    {
        uint crc = 0;
        long total = 0;
        try
        {
            using var inflater = new DeflateStream(new SourceStream(source, data, e.CompressedSize), CompressionMode.Decompress);
            while (total < count)
            {
                int want = (int)Math.Min(ChunkBytes, count - total);
                int n = inflater.Read(new Span<byte>(destination + total, want));
                if (n <= 0) break;
                crc = Crc32.Append(crc, destination + total, n);
                total += n;
            }
            if (total == count && count < e.Size)
            {
                var buf = new byte[(int)Math.Min(e.Size - count, ChunkBytes)];
                int n;
                while ((n = inflater.Read(buf)) > 0)
                {
                    crc = Crc32.Append(crc, buf.AsSpan(0, n));
                    total += n;
                    if (total > e.Size) break;
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw Corrupt($"zip record '{e.Name}': corrupt DEFLATE data ({ex.Message})");
        }
        if (total < count || (count < e.Size && total != e.Size))
            throw Corrupt($"zip record '{e.Name}': DEFLATE data ends after {total} of {e.Size} bytes (truncated or corrupt)");
        return crc;
    }

    /// <summary>A read-only stream over a byte range of the source, for the inflater.</summary>
    sealed class SourceStream(ByteSource source, long start, long length) : Stream
    {
        long position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, length - position);
            if (n <= 0) return 0;
            source.Read(start + position, buffer[..n]);
            position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
