using System.IO.Compression;
using DetrSharp.Torch.Serialization;
using DetrSharp.TestSupport;
using Xunit;

namespace DetrSharp.Torch.Tests.Serialization;

/// <summary>
/// Files torch.save writes here read back identically, with torch.save's archive layout (data.pkl, byteorder,
/// data/N, version; STORED, 64-byte aligned), the opcodes weights_only accepts, and views written once.
/// </summary>
public sealed class TorchSaveTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("detrsharp-save-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    public static IEnumerable<object[]> Cases() => TorchFixtureFiles.Rows();

    [Theory]
    [MemberData(nameof(Cases))]
    public void FixtureRoundTrips(string fixture, string file)
    {
        var (f, path) = TorchFixtureFiles.Get(fixture, file);
        using var scope = torch.NewDisposeScope();
        var loaded = torch.load(path);
        var copy = Path.Combine(dir, "copy.pth");
        torch.save(loaded, copy);
        TorchFixtureLoadTests.CheckAgainst(f, torch.load(copy), $"{fixture}:{file} saved and reloaded");
        CheckLayout(copy, floats: false);
    }

    /// <param name="floats">Whether the saved value holds Python floats (BINFLOAT, which 1.13's weights_only lacks).</param>
    static void CheckLayout(string path, bool floats)
    {
        var bytes = File.ReadAllBytes(path);
        var zip = new ZipReader(ByteSource.FromMemory(bytes, path));
        var names = zip.Entries.Select(e => e.Name).ToList();
        Assert.Equal("archive/data.pkl", names[0]);
        Assert.Equal("archive/byteorder", names[1]);
        Assert.Equal("archive/version", names[^1]);
        var data = names.Skip(2).SkipLast(1).ToList();
        Assert.All(data, n => Assert.StartsWith("archive/data/", n));
        Assert.Equal(data.OrderBy(n => n, StringComparer.Ordinal), data);
        Assert.Equal(Enumerable.Range(0, data.Count).Select(i => i.ToString()).Order(StringComparer.Ordinal),
                     data.Select(n => n["archive/data/".Length..]));
        foreach (var e in zip.Entries)
        {
            Assert.Equal(ZipEntry.Stored, e.Method);
            Assert.Equal(0, zip.DataOffset(e) % 64);
            zip.ReadAllBytes(e); // CRC check
        }
        Assert.Equal("3\n", System.Text.Encoding.ASCII.GetString(zip.ReadAllBytes(zip.Find("archive/version")!)));
        Assert.Equal("little", System.Text.Encoding.ASCII.GetString(zip.ReadAllBytes(zip.Find("archive/byteorder")!)));

        var pickle = zip.ReadAllBytes(zip.Find("archive/data.pkl")!);
        Assert.All(PickleWriterTests.Opcodes(pickle), op =>
            Assert.True(PickleWriterTests.WeightsOnlyOpcodes.Contains(op) || (floats && op == PickleOpcodes.BINFLOAT), $"opcode 0x{op:x2}"));

        // .NET's own zip reader agrees (CRCs, directory, data descriptors).
        using var archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        foreach (var entry in archive.Entries)
        {
            using var s = entry.Open();
            s.CopyTo(Stream.Null);
        }
    }

    [Fact]
    public void SharedStoragesAreWrittenOnce()
    {
        using var scope = torch.NewDisposeScope();
        var baseT = torch.arange(0, 30, ScalarType.Float32);
        var rows = baseT.as_strided(new long[] { 2, 5 }, new long[] { 5, 1 }, 10);
        var transposed = baseT.as_strided(new long[] { 5, 6 }, new long[] { 1, 5 }, 0);
        var sd = new OrderedDictionary<string, Tensor> { ["rows"] = rows, ["t"] = transposed, ["other"] = torch.ones(3) };
        var path = Path.Combine(dir, "shared.pth");
        torch.save(sd, path);
        var zip = new ZipReader(ByteSource.OpenFile(path));
        Assert.Equal(2, zip.Entries.Count(e => e.Name.StartsWith("archive/data/")));
        Assert.Equal(120, zip.Find("archive/data/0")!.Size);

        var back = (PickleDict)torch.load(path)!;
        var r = (Tensor)back["rows"]!;
        var t = (Tensor)back["t"]!;
        Assert.Equal(r.untyped_storage_ptr(), t.untyped_storage_ptr());
        Assert.Equal(10, r.storage_offset());
        Assert.Equal(new long[] { 1, 5 }, t.stride());
        Assert.Equal(rows.data<float>(), r.data<float>());
        Assert.Equal(transposed.data<float>(), t.data<float>());
    }

    [Fact]
    public void TrainingCheckpointRoundTrips()
    {
        using var scope = torch.NewDisposeScope();
        var sd = new OrderedDictionary<string, Tensor>
        {
            ["class_embed.weight"] = torch.randn(new long[] { 92, 8 }),
            ["class_embed.bias"] = torch.zeros(92),
            ["bn.num_batches_tracked"] = torch.tensor(7L),
            ["mask"] = torch.ones(new long[] { 2, 3 }, ScalarType.Bool),
            ["half"] = torch.randn(new long[] { 4 }).to(ScalarType.Float16),
            ["bf16"] = torch.randn(new long[] { 4 }).to(ScalarType.BFloat16),
            ["empty"] = torch.empty(new long[] { 0, 4 }),
        };
        var optimizer = new PickleDict
        {
            ["state"] = new PickleDict { [0L] = new PickleDict { ["step"] = torch.tensor(3.0), ["exp_avg"] = torch.zeros(new long[] { 92, 8 }) } },
            ["param_groups"] = new List<object?> { new PickleDict { ["lr"] = 1e-4, ["betas"] = new object?[] { 0.9, 0.999 }, ["amsgrad"] = false, ["foreach"] = null, ["params"] = new List<object?> { 0L, 1L } } },
        };
        var checkpoint = new Dictionary<string, object?>
        {
            ["model"] = sd,
            ["optimizer"] = optimizer,
            ["epoch"] = 42,
            ["args"] = new Dictionary<string, object?> { ["lr"] = 1e-4, ["backbone"] = "resnet50", ["dilation"] = false },
        };
        var path = Path.Combine(dir, "checkpoint.pth");
        torch.save(checkpoint, path);
        var back = Assert.IsType<PickleDict>(torch.load(path));
        Assert.False(back.IsOrderedDict);
        Assert.Equal(42L, back["epoch"]);
        var model = Assert.IsType<PickleDict>(back["model"]);
        Assert.True(model.IsOrderedDict);
        Assert.Equal(sd.Keys, model.Keys.Cast<string>());
        foreach (var (k, t) in sd)
        {
            var got = (Tensor)model[k]!;
            Assert.Equal(t.dtype, got.dtype);
            Assert.Equal(t.shape, got.shape);
            using var a = t.to(ScalarType.Float64);
            using var b = got.to(ScalarType.Float64);
            Assert.Equal(a.data<double>(), b.data<double>());
        }
        var groups = (List<object?>)((PickleDict)back["optimizer"]!)["param_groups"]!;
        var g0 = (PickleDict)groups[0]!;
        Assert.Equal(new object?[] { 0.9, 0.999 }, g0["betas"]);
        Assert.Null(g0["foreach"]);
        var state0 = (PickleDict)((PickleDict)((PickleDict)back["optimizer"]!)["state"]!)[0L]!;
        Assert.Equal(3.0, ((Tensor)state0["step"]!).item<double>());
        Assert.Equal("resnet50", ((PickleDict)back["args"]!)["backbone"]);
        CheckLayout(path, floats: true);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void SaveReplacesAnExistingFileAtomically()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(dir, "x.pth");
        File.WriteAllText(path, "old");
        torch.save(torch.ones(2), path);
        Assert.Equal(new float[] { 1, 1 }, ((Tensor)torch.load(path)!).data<float>());
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void SaveIntoMissingFolderNamesIt()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => torch.save(1L, Path.Combine(dir, "nope", "x.pth")));
        Assert.Contains("nope", e.Message);
    }

    [Fact]
    public void RequiresGradAndScalarsSurvive()
    {
        using var scope = torch.NewDisposeScope();
        var p = torch.randn(new long[] { 3 }).requires_grad_();
        var path = Path.Combine(dir, "p.pth");
        torch.save(new object?[] { p, 1, "x" }, path);
        var back = Assert.IsType<object?[]>(torch.load(path));
        Assert.True(((Tensor)back[0]!).requires_grad);
        Assert.Equal(1L, back[1]);
    }

    [Fact]
    public void LargeStoragesRoundTripAndBadCrcIsCaught()
    {
        // Storages past 64 KiB are copied from the memory-mapped file with the CRC folded in the same pass.
        using var scope = torch.NewDisposeScope();
        var big = torch.randn(new long[] { 1000, 300 });
        var path = Path.Combine(dir, "big.pth");
        torch.save(new OrderedDictionary<string, Tensor> { ["big"] = big, ["small"] = torch.ones(3) }, path);
        var back = (Tensor)((PickleDict)torch.load(path)!)["big"]!;
        Assert.Equal(big.data<float>(), back.data<float>());

        var bytes = File.ReadAllBytes(path);
        var zip = new ZipReader(ByteSource.FromMemory(bytes, path));
        bytes[zip.DataOffset(zip.Find("archive/data/0")!) + 777_777] ^= 0x10;
        var bad = Path.Combine(dir, "big-bad.pth");
        File.WriteAllBytes(bad, bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => torch.load(bad));
        Assert.Contains("big-bad.pth", e.Message);
        Assert.Contains("archive/data/0", e.Message);
        Assert.Contains("CRC", e.Message);
    }
}
