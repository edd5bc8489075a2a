using System.IO.Compression;
using System.Numerics;
using DetrSharp.Torch.Serialization;
using Xunit;

namespace DetrSharp.Torch.Tests.Serialization;

/// <summary>
/// Files in the forms torch.save writes beyond the shared fixtures: pickle protocols 4 and 5 (FRAME,
/// SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL), nn.Parameter (<c>_rebuild_parameter</c>), the legacy format at
/// protocol 4, bare typed and untyped storages (base64 of files PyTorch 1.13 wrote); a fixture re-zipped with
/// DEFLATE; and the newer <c>_rebuild_tensor_v3</c> / UntypedStorage + dtype form, built by hand.
/// </summary>
public class PyTorchVariantTests
{
    // torch.manual_seed(1); w = nn.Parameter(torch.randn(2, 3))
    // torch.save({'w': w, 'b': tensor([5, -6]), 'od': OrderedDict(a=torch.arange(4.)[1:3]), 'lr': 0.1, 'n': 2**70}, f, ...)
    static readonly float[] W = { 0.661352158f, 0.266924113f, 0.0616772585f, 0.621317327f, -0.451905966f, -0.16613023f };
    const string p4zip = "UEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAQABIAYXJjaGl2ZS9kYXRhLnBrbEZCDgBaWlpaWlpaWlpaWlpaWoAElUgBAAAAAAAAfZQojAF3lIwMdG9yY2guX3V0aWxzlIwSX3JlYnVpbGRfcGFyYW1ldGVylJOUaAKMEl9yZWJ1aWxkX3RlbnNvcl92MpSTlCgojAdzdG9yYWdllIwFdG9yY2iUjAxGbG9hdFN0b3JhZ2WUk5SMATCUjANjcHWUSwZ0lFFLAEsCSwOGlEsDSwGGlImMC2NvbGxlY3Rpb25zlIwLT3JkZXJlZERpY3SUk5QpUpR0lFKUiGgSKVKUh5RSlIwBYpRoBigoaAdoCIwLTG9uZ1N0b3JhZ2WUk5SMATGUaAxLAnSUUUsASwKFlEsBhZSJaBIpUpR0lFKUjAJvZJRoEilSlIwBYZRoBigoaAdoCowBMpRoDEsEdJRRSwFLAoWUSwGFlIloEilSlHSUUpRzjAJscpRHP7mZmZmZmZqMAW6UigkAAAAAAAAAAEB1LlBLBwjoZKWqUwEAAFMBAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAA4AMQBhcmNoaXZlL2RhdGEvMEZCLQBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpgTik/R6qIPkuhfD2nDh8/OGDnvgseKr5QSwcITSCq+BgAAAAYAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAOACwAYXJjaGl2ZS9kYXRhLzFGQigAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWgUAAAAAAAAA+v////////9QSwcIUphkmhAAAAAQAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAOADQAYXJjaGl2ZS9kYXRhLzJGQjAAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaAAAAAAAAgD8AAABAAABAQFBLBwiLG2AlEAAAABAAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAA8AMwBhcmNoaXZlL3ZlcnNpb25GQi8AWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlozClBLBwjRnmdVAgAAAAIAAABQSwECAAAAAAgIAAAAAAAA6GSlqlMBAABTAQAAEAAAAAAAAAAAAAAAAAAAAAAAYXJjaGl2ZS9kYXRhLnBrbFBLAQIAAAAACAgAAAAAAABNIKr4GAAAABgAAAAOAAAAAAAAAAAAAAAAAKMBAABhcmNoaXZlL2RhdGEvMFBLAQIAAAAACAgAAAAAAABSmGSaEAAAABAAAAAOAAAAAAAAAAAAAAAAACgCAABhcmNoaXZlL2RhdGEvMVBLAQIAAAAACAgAAAAAAACLG2AlEAAAABAAAAAOAAAAAAAAAAAAAAAAAKACAABhcmNoaXZlL2RhdGEvMlBLAQIAAAAACAgAAAAAAADRnmdVAgAAAAIAAAAPAAAAAAAAAAAAAAAAACADAABhcmNoaXZlL3ZlcnNpb25QSwYGLAAAAAAAAAAeAy0AAAAAAAAAAAAFAAAAAAAAAAUAAAAAAAAALwEAAAAAAACSAwAAAAAAAFBLBgcAAAAAwQQAAAAAAAABAAAAUEsFBgAAAAAFAAUALwEAAJIDAAAAAA==";
    const string p5zip = "UEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAQABIAYXJjaGl2ZS9kYXRhLnBrbEZCDgBaWlpaWlpaWlpaWlpaWoAFlUgBAAAAAAAAfZQojAF3lIwMdG9yY2guX3V0aWxzlIwSX3JlYnVpbGRfcGFyYW1ldGVylJOUaAKMEl9yZWJ1aWxkX3RlbnNvcl92MpSTlCgojAdzdG9yYWdllIwFdG9yY2iUjAxGbG9hdFN0b3JhZ2WUk5SMATCUjANjcHWUSwZ0lFFLAEsCSwOGlEsDSwGGlImMC2NvbGxlY3Rpb25zlIwLT3JkZXJlZERpY3SUk5QpUpR0lFKUiGgSKVKUh5RSlIwBYpRoBigoaAdoCIwLTG9uZ1N0b3JhZ2WUk5SMATGUaAxLAnSUUUsASwKFlEsBhZSJaBIpUpR0lFKUjAJvZJRoEilSlIwBYZRoBigoaAdoCowBMpRoDEsEdJRRSwFLAoWUSwGFlIloEilSlHSUUpRzjAJscpRHP7mZmZmZmZqMAW6UigkAAAAAAAAAAEB1LlBLBwhMsP2rUwEAAFMBAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAA4AMQBhcmNoaXZlL2RhdGEvMEZCLQBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpgTik/R6qIPkuhfD2nDh8/OGDnvgseKr5QSwcITSCq+BgAAAAYAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAOACwAYXJjaGl2ZS9kYXRhLzFGQigAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWgUAAAAAAAAA+v////////9QSwcIUphkmhAAAAAQAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAOADQAYXJjaGl2ZS9kYXRhLzJGQjAAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaAAAAAAAAgD8AAABAAABAQFBLBwiLG2AlEAAAABAAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAA8AMwBhcmNoaXZlL3ZlcnNpb25GQi8AWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlozClBLBwjRnmdVAgAAAAIAAABQSwECAAAAAAgIAAAAAAAATLD9q1MBAABTAQAAEAAAAAAAAAAAAAAAAAAAAAAAYXJjaGl2ZS9kYXRhLnBrbFBLAQIAAAAACAgAAAAAAABNIKr4GAAAABgAAAAOAAAAAAAAAAAAAAAAAKMBAABhcmNoaXZlL2RhdGEvMFBLAQIAAAAACAgAAAAAAABSmGSaEAAAABAAAAAOAAAAAAAAAAAAAAAAACgCAABhcmNoaXZlL2RhdGEvMVBLAQIAAAAACAgAAAAAAACLG2AlEAAAABAAAAAOAAAAAAAAAAAAAAAAAKACAABhcmNoaXZlL2RhdGEvMlBLAQIAAAAACAgAAAAAAADRnmdVAgAAAAIAAAAPAAAAAAAAAAAAAAAAACADAABhcmNoaXZlL3ZlcnNpb25QSwYGLAAAAAAAAAAeAy0AAAAAAAAAAAAFAAAAAAAAAAUAAAAAAAAALwEAAAAAAACSAwAAAAAAAFBLBgcAAAAAwQQAAAAAAAABAAAAUEsFBgAAAAAFAAUALwEAAJIDAAAAAA==";
    const string p4legacy = "gASVDQAAAAAAAACKCmz8nEb5IGqoUBkugASVBAAAAAAAAABN6QMugASVWAAAAAAAAAB9lCiMEHByb3RvY29sX3ZlcnNpb26UTekDjA1saXR0bGVfZW5kaWFulIiMCnR5cGVfc2l6ZXOUfZQojAVzaG9ydJRLAowDaW50lEsEjARsb25nlEsEdXUugASVYwEAAAAAAAB9lCiMAXeUjAx0b3JjaC5fdXRpbHOUjBJfcmVidWlsZF9wYXJhbWV0ZXKUk5RoAowSX3JlYnVpbGRfdGVuc29yX3YylJOUKCiMB3N0b3JhZ2WUjAV0b3JjaJSMDEZsb2F0U3RvcmFnZZSTlIwJODQ0NTMwODMylIwDY3B1lEsGTnSUUUsASwJLA4aUSwNLAYaUiYwLY29sbGVjdGlvbnOUjAtPcmRlcmVkRGljdJSTlClSlHSUUpSIaBIpUpSHlFKUjAFilGgGKChoB2gIjAtMb25nU3RvcmFnZZSTlIwJODQ0NTQxNDcylGgMSwJOdJRRSwBLAoWUSwGFlIloEilSlHSUUpSMAm9klGgSKVKUjAFhlGgGKChoB2gKjAk4NDQ1NDE1NjiUaAxLBE50lFFLAUsChZRLAYWUiWgSKVKUdJRSlHOMAmxylEc/uZmZmZmZmowBbpSKCQAAAAAAAAAAQHUugASVKQAAAAAAAABdlCiMCTg0NDUzMDgzMpSMCTg0NDU0MTQ3MpSMCTg0NDU0MTU2OJRlLgYAAAAAAAAAYE4pP0eqiD5LoXw9pw4fPzhg574LHiq+AgAAAAAAAAAFAAAAAAAAAPr/////////BAAAAAAAAAAAAAAAAACAPwAAAEAAAEBA";
    const string p2legacy = "gAKKCmz8nEb5IGqoUBkugAJN6QMugAJ9cQAoWBAAAABwcm90b2NvbF92ZXJzaW9ucQFN6QNYDQAAAGxpdHRsZV9lbmRpYW5xAohYCgAAAHR5cGVfc2l6ZXNxA31xBChYBQAAAHNob3J0cQVLAlgDAAAAaW50cQZLBFgEAAAAbG9uZ3EHSwR1dS6AAn1xAChYAQAAAHdxAWN0b3JjaC5fdXRpbHMKX3JlYnVpbGRfcGFyYW1ldGVyCnECY3RvcmNoLl91dGlscwpfcmVidWlsZF90ZW5zb3JfdjIKcQMoKFgHAAAAc3RvcmFnZXEEY3RvcmNoCkZsb2F0U3RvcmFnZQpxBVgJAAAAODQ0NTMwODMycQZYAwAAAGNwdXEHSwZOdHEIUUsASwJLA4ZxCUsDSwGGcQqJY2NvbGxlY3Rpb25zCk9yZGVyZWREaWN0CnELKVJxDHRxDVJxDohoCylScQ+HcRBScRFYAQAAAGJxEmgDKChoBGN0b3JjaApMb25nU3RvcmFnZQpxE1gJAAAAODQ0NTQxNTY4cRRoB0sCTnRxFVFLAEsChXEWSwGFcReJaAspUnEYdHEZUnEaWAIAAABvZHEbaAspUnEcWAEAAABhcR1oAygoaARoBVgJAAAAODQ0NTQxNDcycR5oB0sETnRxH1FLAUsChXEgSwGFcSGJaAspUnEidHEjUnEkc1gCAAAAbHJxJUc/uZmZmZmZmlgBAAAAbnEmigkAAAAAAAAAAEB1LoACXXEAKFgJAAAAODQ0NTMwODMycQFYCQAAADg0NDU0MTQ3MnECWAkAAAA4NDQ1NDE1NjhxA2UuBgAAAAAAAABgTik/R6qIPkuhfD2nDh8/OGDnvgseKr4EAAAAAAAAAAAAAAAAAIA/AAAAQAAAQEACAAAAAAAAAAUAAAAAAAAA+v////////8=";
    const string storages = "UEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAQABIAYXJjaGl2ZS9kYXRhLnBrbEZCDgBaWlpaWlpaWlpaWlpaWoACfXEAKFgHAAAAdW50eXBlZHEBKFgHAAAAc3RvcmFnZXECY3RvcmNoLnN0b3JhZ2UKVW50eXBlZFN0b3JhZ2UKcQNYAQAAADBxBFgDAAAAY3B1cQVLBnRxBlFYBQAAAHR5cGVkcQcoaAJjdG9yY2gKRmxvYXRTdG9yYWdlCnEIWAEAAAAxcQloBUsGdHEKUXUuUEsHCJIQQT+SAAAAkgAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADgAyAGFyY2hpdmUvZGF0YS8wRkIuAFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWloAAAEAAgBQSwcIRKRIOwYAAAAGAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAOAD4AYXJjaGl2ZS9kYXRhLzFGQjoAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWgAAAAAAAIA/AAAAQAAAQEAAAIBAAACgQFBLBwgXkOeRGAAAABgAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAA8AKwBhcmNoaXZlL3ZlcnNpb25GQicAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaMwpQSwcI0Z5nVQIAAAACAAAAUEsBAgAAAAAICAAAAAAAAJIQQT+SAAAAkgAAABAAAAAAAAAAAAAAAAAAAAAAAGFyY2hpdmUvZGF0YS5wa2xQSwECAAAAAAgIAAAAAAAARKRIOwYAAAAGAAAADgAAAAAAAAAAAAAAAADiAAAAYXJjaGl2ZS9kYXRhLzBQSwECAAAAAAgIAAAAAAAAF5DnkRgAAAAYAAAADgAAAAAAAAAAAAAAAABWAQAAYXJjaGl2ZS9kYXRhLzFQSwECAAAAAAgIAAAAAAAA0Z5nVQIAAAACAAAADwAAAAAAAAAAAAAAAADoAQAAYXJjaGl2ZS92ZXJzaW9uUEsGBiwAAAAAAAAAHgMtAAAAAAAAAAAABAAAAAAAAAAEAAAAAAAAAPMAAAAAAAAAUgIAAAAAAABQSwYHAAAAAEUDAAAAAAAAAQAAAFBLBQYAAAAABAAEAPMAAABSAgAAAAA=";

    [Theory]
    [InlineData(p4zip, "zip")]
    [InlineData(p5zip, "zip")]
    [InlineData(p4legacy, "legacy")]
    [InlineData(p2legacy, "legacy")]
    public void ReadsProtocolsAndParameters(string base64, string format)
    {
        var bytes = Convert.FromBase64String(base64);
        using (var f = CheckpointFile.Open(bytes, format))
            Assert.Equal(format == "zip" ? CheckpointFormat.Zip : CheckpointFormat.Legacy, f.Format);
        using var scope = torch.NewDisposeScope();
        var d = Assert.IsType<PickleDict>(torch.load(bytes, format));
        var w = Assert.IsType<Tensor>(d["w"]);
        Assert.True(w.requires_grad);
        Assert.Equal(new long[] { 2, 3 }, w.shape);
        Assert.Equal(W, w.detach().data<float>());
        Assert.Equal(new long[] { 5, -6 }, Assert.IsType<Tensor>(d["b"]).data<long>());
        var a = Assert.IsType<Tensor>(Assert.IsType<PickleDict>(d["od"])["a"]);
        Assert.Equal(1, a.storage_offset());
        Assert.Equal(new float[] { 1, 2 }, a.data<float>());
        Assert.Equal(0.1, d["lr"]);
        Assert.Equal(BigInteger.Pow(2, 70), d["n"]);
    }

    [Fact]
    public void BareTypedAndUntypedStoragesBecomeFlatTensors()
    {
        using var scope = torch.NewDisposeScope();
        var d = Assert.IsType<PickleDict>(torch.load(Convert.FromBase64String(storages), "storages"));
        var untyped = Assert.IsType<Tensor>(d["untyped"]);     // torch.storage.UntypedStorage: raw bytes
        Assert.Equal(ScalarType.Byte, untyped.dtype);
        Assert.Equal(new byte[] { 0, 0, 1, 0, 2, 0 }, untyped.data<byte>());
        var typed = Assert.IsType<Tensor>(d["typed"]);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, typed.data<float>());
    }

    [Fact]
    public void DeflatedArchivesLoad()
    {
        // A checkpoint re-zipped with compression (PyTorch never writes one, but zip tools do).
        var src = new ZipReader(ByteSource.OpenFile(Path.Combine(DetrSharp.TestSupport.Fixtures.Root, "torch", "checkpoint_zip_s0.pth")));
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var e in src.Entries)
            {
                using var s = zip.CreateEntry(e.Name, CompressionLevel.Optimal).Open();
                s.Write(src.ReadAllBytes(e));
            }
        using var scope = torch.NewDisposeScope();
        var deflated = (PickleDict)torch.load(ms.ToArray(), "deflated.pth")!;
        var stored = (PickleDict)torch.load(Path.Combine(DetrSharp.TestSupport.Fixtures.Root, "torch", "checkpoint_zip_s0.pth"))!;
        var a = (PickleDict)deflated["model"]!;
        var b = (PickleDict)stored["model"]!;
        foreach (var key in b.Keys)
        {
            using var x = ((Tensor)a[key]!).to(ScalarType.Float64);
            using var y = ((Tensor)b[key]!).to(ScalarType.Float64);
            Assert.Equal(y.data<double>(), x.data<double>());
        }
    }

    /// <summary>A pickler that writes <see cref="Pid"/> values as persistent ids (BINPERSID).</summary>
    sealed class HandPickler : PickleWriter
    {
        public sealed record Pid(object?[] Tuple);

        protected override bool TrySaveSpecial(object value, int depth)
        {
            if (value is not Pid p) return false;
            SaveTuple(p.Tuple, depth);
            Op(PickleOpcodes.BINPERSID);
            return true;
        }
    }

    static object? Call(string module, string name, params object?[] args) => new PickleObject(module, name, args);

    [Fact]
    public void RebuildTensorV3OverAnUntypedStorage()
    {
        // PyTorch 2.x: _rebuild_tensor_v3(UntypedStorage, offset, size, stride, requires_grad, hooks, dtype, metadata)
        var pid = new HandPickler.Pid(new object?[] { "storage", new PickleGlobal("torch", "UntypedStorage"), "0", "cpu", 24L });
        var hooks = Call("collections", "OrderedDict");
        var tensor = Call("torch._utils", "_rebuild_tensor_v3", pid, 1L, new object?[] { 2L, 2L }, new object?[] { 2L, 1L }, false, hooks,
            new PickleGlobal("torch", "float32"), null);
        var pickle = new HandPickler().Dumps(new PickleDict(ordered: true) { ["t"] = tensor });
        var data = new float[] { 10, 11, 12, 13, 14, 15 };
        var raw = new byte[24];
        Buffer.BlockCopy(data, 0, raw, 0, 24);
        using var ms = new MemoryStream();
        var w = new ZipWriter(ms, "archive");
        w.WriteRecord("data.pkl", pickle);
        w.WriteRecord("data/0", raw);
        w.WriteRecord("version", "3\n"u8);
        w.Finish();

        using var scope = torch.NewDisposeScope();
        var t = Assert.IsType<Tensor>(((PickleDict)torch.load(ms.ToArray(), "v3.pth")!)["t"]);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(new float[] { 11, 12, 13, 14 }, t.data<float>());
    }
}
