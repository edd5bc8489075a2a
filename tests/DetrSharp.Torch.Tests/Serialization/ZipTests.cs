using System.Buffers.Binary;
using System.IO.Compression;
using DetrSharp.Torch.Serialization;
using Xunit;

namespace DetrSharp.Torch.Tests.Serialization;

/// <summary>The PyTorch-style zip writer and the zip reader, without tensors.</summary>
public class ZipTests
{
    static byte[] Write(params (string Name, byte[] Data)[] records)
    {
        using var ms = new MemoryStream();
        var w = new ZipWriter(ms, "archive");
        foreach (var (n, d) in records) w.WriteRecord(n, d);
        w.Finish();
        return ms.ToArray();
    }

    static byte[] Bytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public void RoundTripsRecordsAlignedTo64()
    {
        var recs = new[] { ("data.pkl", Bytes(1455, 1)), ("data/0", Bytes(432, 2)), ("data/1", Array.Empty<byte>()), ("version", "3\n"u8.ToArray()) };
        var zip = Write(recs);
        var r = new ZipReader(ByteSource.FromMemory(zip, "mem.zip"));
        Assert.Equal(recs.Select(x => "archive/" + x.Item1), r.Entries.Select(e => e.Name));
        foreach (var (name, data) in recs)
        {
            var e = r.Find("archive/" + name)!;
            Assert.Equal(ZipEntry.Stored, e.Method);
            Assert.Equal(0, r.DataOffset(e) % 64);
            Assert.Equal(data, r.ReadAllBytes(e));
        }
    }

    [Fact]
    public void DotNetZipArchiveReadsWhatWeWrite()
    {
        var recs = new[] { ("data.pkl", Bytes(100, 3)), ("data/0", Bytes(70_000, 4)), ("version", "3\n"u8.ToArray()) };
        using var archive = new ZipArchive(new MemoryStream(Write(recs)), ZipArchiveMode.Read);
        foreach (var (name, data) in recs)
        {
            using var s = archive.GetEntry("archive/" + name)!.Open();
            var ms = new MemoryStream();
            s.CopyTo(ms);
            Assert.Equal(data, ms.ToArray());
        }
    }

    [Fact]
    public void ReadsDeflatedRecords()
    {
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("deflate me ", 5000)));
        var ms = new MemoryStream();
        using (var a = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var s = a.CreateEntry("x/data.pkl", CompressionLevel.Optimal).Open()) s.Write(text);
            using (var s = a.CreateEntry("x/raw", CompressionLevel.NoCompression).Open()) s.Write(text);
        }
        var r = new ZipReader(ByteSource.FromMemory(ms.ToArray(), "deflated.zip"));
        Assert.Equal(ZipEntry.Deflated, r.Find("x/data.pkl")!.Method);
        Assert.Equal(text, r.ReadAllBytes(r.Find("x/data.pkl")!));
        Assert.Equal(text, r.ReadAllBytes(r.Find("x/raw")!));
    }

    [Fact]
    public void BadCrcIsReportedWithFileAndRecord()
    {
        var zip = Write(("data.pkl", Bytes(10, 5)), ("data/0", Bytes(256, 6)));
        var r0 = new ZipReader(ByteSource.FromMemory(zip, "crc.zip"));
        long at = r0.DataOffset(r0.Find("archive/data/0")!) + 17;
        zip[at] ^= 0x40;
        var r = new ZipReader(ByteSource.FromMemory(zip, "crc.zip"));
        var e = Assert.Throws<CheckpointFormatException>(() => r.ReadAllBytes(r.Find("archive/data/0")!));
        Assert.Contains("crc.zip", e.Message);
        Assert.Contains("archive/data/0", e.Message);
        Assert.Contains("CRC", e.Message);
    }

    [Fact]
    public void TruncatedArchiveIsReported()
    {
        var zip = Write(("data.pkl", Bytes(300, 7)));
        var e = Assert.Throws<CheckpointFormatException>(() => new ZipReader(ByteSource.FromMemory(zip[..200], "cut.zip")));
        Assert.StartsWith("cut.zip: ", e.Message);
    }

    [Fact]
    public void LayoutMatchesPyTorchWriter()
    {
        // The same bytes PyTorch 1.13 writes for a record at offset 0 named "<23 chars>/data.pkl":
        // flags 0x0808, STORED, zero time/date/CRC/sizes, an 'FB' extra padding the data to 64.
        var zip = Write(("data.pkl", Bytes(5, 8)));
        Assert.Equal(0x04034b50u, BinaryPrimitives.ReadUInt32LittleEndian(zip));
        Assert.Equal(0x0808, BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(6)));
        int nameLen = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(26));
        int extraLen = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(28));
        Assert.Equal("archive/data.pkl", System.Text.Encoding.ASCII.GetString(zip, 30, nameLen));
        Assert.Equal((byte)'F', zip[30 + nameLen]);
        Assert.Equal((byte)'B', zip[31 + nameLen]);
        Assert.Equal(0, (30 + nameLen + extraLen) % 64);
        // data descriptor right after the data
        int descriptor = 30 + nameLen + extraLen + 5;
        Assert.Equal(0x08074b50u, BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(descriptor)));
        // zip64 end record, locator, end record
        Assert.Equal(0x06054b50u, BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(zip.Length - 22)));
        Assert.Equal(0x07064b50u, BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(zip.Length - 42)));
    }

    /// <summary>Rewrites every central-directory entry to carry its sizes and offset in a zip64 extra field.</summary>
    static byte[] WithZip64Entries(byte[] zip)
    {
        int eocd = zip.Length - 22;
        long cdOffset = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(eocd + 16));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(eocd + 10));
        var cd = new MemoryStream();
        int p = (int)cdOffset;
        for (int i = 0; i < count; i++)
        {
            int nameLen = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(p + 28));
            int extraLen = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(p + 30));
            int commentLen = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(p + 32));
            var h = zip.AsSpan(p, 46 + nameLen).ToArray();
            uint csize = BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(20));
            uint usize = BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(24));
            uint offset = BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(42));
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(20), uint.MaxValue);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(24), uint.MaxValue);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(42), uint.MaxValue);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(30), 28);
            var extra = new byte[28];
            BinaryPrimitives.WriteUInt16LittleEndian(extra, 1);
            BinaryPrimitives.WriteUInt16LittleEndian(extra.AsSpan(2), 24);
            BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(4), usize);
            BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(12), csize);
            BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(20), offset);
            cd.Write(h);
            cd.Write(extra);
            p += 46 + nameLen + extraLen + commentLen;
        }
        var tail = new byte[98];
        var body = zip.AsSpan(0, (int)cdOffset);
        long cdSize = cd.Length;
        // zip64 end record, locator, classic end record with all-ones fields
        BinaryPrimitives.WriteUInt32LittleEndian(tail, 0x06064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(tail.AsSpan(4), 44);
        BinaryPrimitives.WriteUInt64LittleEndian(tail.AsSpan(24), (ulong)count);
        BinaryPrimitives.WriteUInt64LittleEndian(tail.AsSpan(32), (ulong)count);
        BinaryPrimitives.WriteUInt64LittleEndian(tail.AsSpan(40), (ulong)cdSize);
        BinaryPrimitives.WriteUInt64LittleEndian(tail.AsSpan(48), (ulong)cdOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(tail.AsSpan(56), 0x07064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(tail.AsSpan(64), (ulong)(cdOffset + cdSize));
        BinaryPrimitives.WriteUInt32LittleEndian(tail.AsSpan(72), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(tail.AsSpan(76), 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(tail.AsSpan(84), ushort.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(tail.AsSpan(86), ushort.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(tail.AsSpan(88), uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(tail.AsSpan(92), uint.MaxValue);
        return body.ToArray().Concat(cd.ToArray()).Concat(tail).ToArray();
    }

    [Fact]
    public void ReadsZip64ExtraFields()
    {
        var recs = new[] { ("data.pkl", Bytes(90, 9)), ("data/0", Bytes(5000, 10)) };
        var zip = WithZip64Entries(Write(recs));
        var r = new ZipReader(ByteSource.FromMemory(zip, "z64.zip"));
        foreach (var (name, data) in recs)
            Assert.Equal(data, r.ReadAllBytes(r.Find("archive/" + name)!));
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);   // .NET agrees on the layout
        Assert.Equal(2, archive.Entries.Count);
    }
}
