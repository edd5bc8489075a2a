using System.Numerics;
using DetrSharp.Torch.Serialization;
using Xunit;

namespace DetrSharp.Torch.Tests.Serialization;

/// <summary>The protocol-2 pickle writer: round trips through the reader, and only torch.save's opcodes.</summary>
public class PickleWriterTests
{
    /// <summary>
    /// Opcodes torch.load(weights_only=True) of PyTorch 1.13 accepts (torch/_weights_only_unpickler.py). It has no
    /// BINFLOAT, so 1.13 cannot load a float under weights_only, from Python's torch.save either; 2.x can.
    /// </summary>
    internal static readonly HashSet<byte> WeightsOnlyOpcodes = new()
    {
        PickleOpcodes.PROTO, PickleOpcodes.STOP, PickleOpcodes.MARK, PickleOpcodes.GLOBAL, PickleOpcodes.REDUCE,
        PickleOpcodes.NEWOBJ, PickleOpcodes.BUILD, PickleOpcodes.APPEND, PickleOpcodes.APPENDS, PickleOpcodes.SETITEM,
        PickleOpcodes.SETITEMS, PickleOpcodes.TUPLE, PickleOpcodes.TUPLE1, PickleOpcodes.TUPLE2, PickleOpcodes.TUPLE3,
        PickleOpcodes.NONE, PickleOpcodes.NEWFALSE, PickleOpcodes.NEWTRUE, PickleOpcodes.EMPTY_TUPLE,
        PickleOpcodes.EMPTY_LIST, PickleOpcodes.EMPTY_DICT, PickleOpcodes.EMPTY_SET, PickleOpcodes.BINPERSID,
        PickleOpcodes.BININT, PickleOpcodes.BININT1, PickleOpcodes.BININT2, PickleOpcodes.BINUNICODE,
        PickleOpcodes.SHORT_BINSTRING, PickleOpcodes.BINPUT, PickleOpcodes.LONG_BINPUT, PickleOpcodes.BINGET,
        PickleOpcodes.LONG_BINGET, PickleOpcodes.LONG1,
    };

    /// <summary>The opcodes of a pickle, walked with their argument lengths (protocol 2 binary subset).</summary>
    internal static List<byte> Opcodes(byte[] pickle)
    {
        var ops = new List<byte>();
        int i = 0;
        while (i < pickle.Length)
        {
            byte op = pickle[i++];
            ops.Add(op);
            i += op switch
            {
                PickleOpcodes.PROTO or PickleOpcodes.BININT1 or PickleOpcodes.BINPUT or PickleOpcodes.BINGET => 1,
                PickleOpcodes.BININT2 => 2,
                PickleOpcodes.BININT or PickleOpcodes.LONG_BINPUT or PickleOpcodes.LONG_BINGET => 4,
                PickleOpcodes.BINFLOAT => 8,
                PickleOpcodes.LONG1 => 1 + pickle[i],
                PickleOpcodes.BINUNICODE => 4 + BitConverter.ToInt32(pickle, i),
                PickleOpcodes.GLOBAL => Array.IndexOf(pickle, (byte)'\n', Array.IndexOf(pickle, (byte)'\n', i) + 1) + 1 - i,
                _ => 0,
            };
            if (op == PickleOpcodes.STOP) break;
        }
        return ops;
    }

    [Fact]
    public void RoundTripsPythonValues()
    {
        var optimizer = new PickleDict
        {
            [0L] = new PickleDict { ["step"] = 10L, ["exp_avg"] = 0.5 },
        };
        var value = new Dictionary<string, object?>
        {
            ["epoch"] = 12,
            ["lr"] = 1e-4,
            ["name"] = "détr",
            ["flags"] = new object?[] { true, false, null },
            ["betas"] = new object?[] { 0.9, 0.999 },
            ["params"] = new List<object?> { 0L, 1L, 2L },
            ["big"] = BigInteger.Pow(3, 50),
            ["neg"] = -5_000_000_000L,
            ["mid"] = 70000,
            ["state"] = optimizer,
            ["ids"] = Enumerable.Range(0, 2500).Select(i => (long)i).ToArray(),
            ["blob"] = new byte[] { 1, 2, 255 },
        };
        var bytes = new PickleWriter().Dumps(value);
        var d = Assert.IsType<PickleDict>(PickleReader.Loads(bytes));
        Assert.Equal(value.Keys, d.Keys.Cast<string>());
        Assert.Equal(12L, d["epoch"]);
        Assert.Equal(1e-4, d["lr"]);
        Assert.Equal("détr", d["name"]);
        Assert.Equal(new object?[] { true, false, null }, d["flags"]);
        Assert.Equal(new object?[] { 0.9, 0.999 }, d["betas"]);
        Assert.Equal(new object?[] { 0L, 1L, 2L }, Assert.IsType<List<object?>>(d["params"]).ToArray());
        Assert.Equal(BigInteger.Pow(3, 50), d["big"]);
        Assert.Equal(-5_000_000_000L, d["neg"]);
        Assert.Equal(70000L, d["mid"]);
        Assert.Equal(10L, ((PickleDict)((PickleDict)d["state"]!)[0L]!)["step"]);
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => (object?)(long)i), Assert.IsType<List<object?>>(d["ids"]));
        Assert.Equal(new byte[] { 1, 2, 255 }, d["blob"]);
        Assert.All(Opcodes(bytes), op => Assert.True(WeightsOnlyOpcodes.Contains(op) || op == PickleOpcodes.BINFLOAT, $"opcode 0x{op:x2}"));
    }

    [Fact]
    public void OrderedDictsAndStandInsRoundTrip()
    {
        var od = new PickleDict(ordered: true) { ["b"] = 1L, ["a"] = 2L };
        od.State = new PickleDict { ["_metadata"] = new PickleDict(ordered: true) { [""] = new PickleDict { ["version"] = 1L } } };
        var ns = new PickleObject("argparse", "Namespace", Array.Empty<object?>(), new PickleDict { ["lr"] = 0.1 });
        var back = Assert.IsType<object?[]>(PickleReader.Loads(new PickleWriter().Dumps(new object?[] { od, ns })));
        var od2 = Assert.IsType<PickleDict>(back[0]);
        Assert.True(od2.IsOrderedDict);
        Assert.Equal(new object?[] { "b", "a" }, od2.Keys.ToArray());
        Assert.IsType<PickleDict>(od2.State);
        var ns2 = Assert.IsType<PickleObject>(back[1]);
        Assert.Equal("argparse.Namespace", ns2.FullName);
        Assert.Equal(0.1, ns2.GetAttribute("lr"));
    }

    [Fact]
    public void RefusesCyclesAndUnknownTypes()
    {
        var l = new List<object?>();
        l.Add(l);
        Assert.Throws<ArgumentException>(() => new PickleWriter().Dumps(l));
        Assert.Throws<ArgumentException>(() => new PickleWriter().Dumps(new object()));
    }
}
