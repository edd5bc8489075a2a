using System.Buffers.Binary;
using DetrSharp.Torch.Serialization;
using Xunit;

namespace DetrSharp.Torch.Tests.Serialization;

/// <summary>Bad files raise exceptions that name the file and the problem.</summary>
public sealed class CheckpointErrorTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("detrsharp-bad-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    static string Fixture(string name) => Path.Combine(DetrSharp.TestSupport.Fixtures.Root, "torch", name);

    string Write(string name, byte[] bytes)
    {
        var p = Path.Combine(dir, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    [Fact]
    public void MissingFile()
    {
        var path = Path.Combine(dir, "absent.pth");
        var e = Assert.Throws<FileNotFoundException>(() => torch.load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void EmptyAndForeignFiles()
    {
        var empty = Write("empty.pth", Array.Empty<byte>());
        Assert.Contains("empty.pth: file is empty", Assert.Throws<CheckpointFormatException>(() => torch.load(empty)).Message);
        var text = Write("text.pth", "hello world"u8.ToArray());
        Assert.Contains("not a PyTorch checkpoint", Assert.Throws<CheckpointFormatException>(() => torch.load(text)).Message);
        var plainPickle = Write("plain.pkl", new PickleWriter().Dumps(new List<object?> { 1L }));
        Assert.Contains("magic number", Assert.Throws<CheckpointFormatException>(() => torch.load(plainPickle)).Message);
    }

    [Theory]
    [InlineData("checkpoint_zip_s0.pth")]
    [InlineData("checkpoint_legacy_s0.pth")]
    public void TruncatedFiles(string name)
    {
        var bytes = File.ReadAllBytes(Fixture(name));
        foreach (int cut in new[] { 1, 10, 100, bytes.Length / 2, bytes.Length - 30, bytes.Length - 1 })
        {
            var p = Write("cut-" + name, bytes[..cut]);
            var e = Assert.Throws<CheckpointFormatException>(() => torch.load(p));
            Assert.StartsWith(p + ": ", e.Message);
        }
    }

    [Fact]
    public void BadCrcInAStorageRecord()
    {
        var bytes = File.ReadAllBytes(Fixture("state_dict_zip_s0.pth"));
        var zip = new ZipReader(ByteSource.FromMemory(bytes, "x"));
        var rec = zip.Find("state_dict_zip_s0/data/3")!;
        bytes[zip.DataOffset(rec) + 5] ^= 1;
        var p = Write("crc.pth", bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => torch.load(p));
        Assert.Contains("crc.pth", e.Message);
        Assert.Contains("data/3", e.Message);
        Assert.Contains("CRC", e.Message);
    }

    /// <summary>Rebuilds a fixture archive with one record replaced (through our writer, so CRCs stay valid).</summary>
    static byte[] Rewrite(string fixture, Func<string, byte[], byte[]> change)
    {
        var src = new ZipReader(ByteSource.OpenFile(Fixture(fixture)));
        using var ms = new MemoryStream();
        var w = new ZipWriter(ms, "archive");
        foreach (var e in src.Entries)
        {
            var name = e.Name[(e.Name.IndexOf('/') + 1)..];
            w.WriteRecord(name, change(name, src.ReadAllBytes(e)));
        }
        w.Finish();
        return ms.ToArray();
    }

    [Fact]
    public void StorageShorterThanItsTensor()
    {
        var p = Write("short.pth", Rewrite("state_dict_zip_s0.pth", (n, b) => n == "data/0" ? b[..100] : b));
        var e = Assert.Throws<CheckpointFormatException>(() => torch.load(p));
        Assert.Contains("short.pth", e.Message);
        Assert.Contains("storage '0'", e.Message);
    }

    [Fact]
    public void TensorReachingPastItsStorage()
    {
        // shared.column: offset 1, size 6, stride 5 over a 30-element storage; make the stride 6 (needs 32).
        var p = Write("view.pth", Rewrite("state_dict_zip_s0.pth", (n, b) =>
        {
            if (n != "data.pkl") return b;
            var i = b.AsSpan().LastIndexOf(new byte[] { (byte)'K', 5, 0x85 });   // BININT1 5, TUPLE1: the stride tuple
            b[i + 1] = 6;
            return b;
        }));
        var e = Assert.Throws<CheckpointFormatException>(() => torch.load(p));
        Assert.Contains("view.pth", e.Message);
        Assert.Contains("'shared.column'", e.Message);
        Assert.Contains("needs 32", e.Message);
    }

    [Fact]
    public void UnsupportedOpcodeInDataPkl()
    {
        var p = Write("op.pth", Rewrite("state_dict_zip_s0.pth", (n, b) => n == "data.pkl" ? new byte[] { 0x80, 2, 0x82, 1, (byte)'.' } : b));
        var e = Assert.Throws<CheckpointFormatException>(() => torch.load(p));
        Assert.Contains("op.pth", e.Message);
        Assert.Contains("EXT1", e.Message);
    }

    [Fact]
    public void MissingStorageRecord()
    {
        var src = new ZipReader(ByteSource.OpenFile(Fixture("state_dict_zip_s0.pth")));
        using var ms = new MemoryStream();
        var w = new ZipWriter(ms, "archive");
        foreach (var e in src.Entries.Where(e => !e.Name.EndsWith("/data/5")))
            w.WriteRecord(e.Name[(e.Name.IndexOf('/') + 1)..], src.ReadAllBytes(e));
        w.Finish();
        var p = Write("missing.pth", ms.ToArray());
        var ex = Assert.Throws<CheckpointFormatException>(() => torch.load(p));
        Assert.Contains("data/5", ex.Message);
    }

    [Fact]
    public void DeepNestingIsRefusedNotOverflowed()
    {
        // 100,000 nested lists: the unpickler builds them iteratively; the tree walk refuses past its depth limit.
        const int depth = 100_000;
        var pickle = new List<byte> { 0x80, 2 };
        for (int i = 0; i < depth; i++) pickle.Add((byte)']');
        for (int i = 0; i < depth - 1; i++) pickle.Add((byte)'a');
        pickle.Add((byte)'.');
        using var ms = new MemoryStream();
        var w = new ZipWriter(ms, "archive");
        w.WriteRecord("data.pkl", pickle.ToArray());
        w.WriteRecord("version", "3\n"u8);
        w.Finish();
        var e = Assert.Throws<CheckpointFormatException>(() => torch.load(ms.ToArray(), "deep.pth"));
        Assert.Contains("deeper than", e.Message);
    }

    [Fact]
    public void TorchScriptArchiveIsNamedAsSuch()
    {
        using var ms = new MemoryStream();
        var w = new ZipWriter(ms, "model");
        w.WriteRecord("constants.pkl", new byte[] { 0x80, 2, (byte)')', (byte)'.' });
        w.WriteRecord("code/__torch__.py", "x"u8);
        w.Finish();
        var p = Write("script.pt", ms.ToArray());
        Assert.Contains("TorchScript", Assert.Throws<CheckpointFormatException>(() => torch.load(p)).Message);
    }

    [Fact]
    public void BigEndianByteOrderIsSwapped()
    {
        var p = Write("big.pth", Rewrite("state_dict_zip_s0.pth", (n, b) =>
        {
            if (n == "data/0")
            {
                var c = (byte[])b.Clone();
                for (int i = 0; i < c.Length; i += 4) c.AsSpan(i, 4).Reverse();
                return c;
            }
            return b;
        }).Then(z => AddRecord(z, "byteorder", "big"u8.ToArray())));
        var loaded = (PickleDict)torch.load(p)!;
        var want = (PickleDict)torch.load(Fixture("state_dict_zip_s0.pth"))!;
        var a = ((Tensor)loaded["backbone.0.body.conv1.weight"]!).data<float>();
        var b = ((Tensor)want["backbone.0.body.conv1.weight"]!).data<float>();
        Assert.Equal(b, a);
        CheckpointTree.DisposeTensors(loaded);
        CheckpointTree.DisposeTensors(want);
    }

    static byte[] AddRecord(byte[] zipBytes, string name, byte[] data)
    {
        var src = new ZipReader(ByteSource.FromMemory(zipBytes, "z"));
        using var ms = new MemoryStream();
        var w = new ZipWriter(ms, "archive");
        foreach (var e in src.Entries) w.WriteRecord(e.Name[(e.Name.IndexOf('/') + 1)..], src.ReadAllBytes(e));
        w.WriteRecord(name, data);
        w.Finish();
        return ms.ToArray();
    }
}

static class FuncExtensions
{
    public static TOut Then<TIn, TOut>(this TIn x, Func<TIn, TOut> f) => f(x);
}
