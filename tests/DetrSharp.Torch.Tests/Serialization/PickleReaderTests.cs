using System.Numerics;
using DetrSharp.Torch.Serialization;
using Xunit;

namespace DetrSharp.Torch.Tests.Serialization;

/// <summary>
/// The pickle reader on bytes Python's pickle module wrote (protocols 0 to 5, one value covering ints of every
/// width, big ints, floats, str, bytes, tuples, sets, OrderedDict, int keys, an argparse.Namespace, shared
/// references), plus hand-built opcodes and malformed input.
/// </summary>
public class PickleReaderTests
{
    // pickle.dumps(v, protocol=p) for the value in the comment of Check below.
    [Theory]
        [InlineData(0, "286470300a56696e74730a70310a286c70320a49300a6149310a61493235350a61493235360a614936353533350a614936353533360a61492d310a61492d323134373438333634380a614c323134373438333634384c0a614c393232333337323033363835343737353830374c0a614c2d393232333337323033363835343737353830384c0a614c313138303539313632303731373431313330333432344c0a614c2d313138303539313632303731373431313330333432344c0a617356666c6f6174730a70330a286c70340a46302e300a61462d332e350a6146302e303030310a6146696e660a6173566e6f6e650a70350a4e7356740a70360a4930310a7356660a70370a4930300a7356746578740a70380a56fc6eef636f6465205c75323731330a70390a735662797465730a7031300a635f636f646563730a656e636f64650a7031310a285678795c7530303030ff0a7031320a566c6174696e310a7031330a747031340a527031350a73567475706c650a7031360a2849310a56610a7031370a2849320a747031380a747031390a73567365740a7032300a635f5f6275696c74696e5f5f0a7365740a7032310a28286c7032320a49370a61747032330a527032340a735666726f7a656e0a7032350a635f5f6275696c74696e5f5f0a66726f7a656e7365740a7032360a28286c7032370a49380a61747032380a527032390a73566f640a7033300a63636f6c6c656374696f6e730a4f726465726564446963740a7033310a2874527033320a56620a7033330a49310a736731370a49320a737349330a56696e746b65790a7033340a7356617267730a7033350a63636f70795f7265670a5f7265636f6e7374727563746f720a7033360a286361726770617273650a4e616d6573706163650a7033370a635f5f6275696c74696e5f5f0a6f626a6563740a7033380a4e747033390a527034300a28647034310a566c720a7034320a46302e303030310a735665706f6368730a7034330a493330300a73566e616d650a7034340a56646574720a7034350a736273567368617265640a7034360a28286c7034370a49310a6149320a616734370a747034380a732e")]
        [InlineData(1, "7d7100285804000000696e747371015d7102284b004b014bff4d00014dffff4a000001004affffffff4a000000804c323134373438333634384c0a4c393232333337323033363835343737353830374c0a4c2d393232333337323033363835343737353830384c0a4c313138303539313632303731373431313330333432344c0a4c2d313138303539313632303731373431313330333432344c0a655806000000666c6f61747371035d71042847000000000000000047c00c000000000000473f1a36e2eb1c432d477ff00000000000006558040000006e6f6e6571054e58010000007471064930310a58010000006671074930300a5804000000746578747108580d000000c3bc6ec3af636f646520e29c93710958050000006279746573710a635f636f646563730a656e636f64650a710b285805000000787900c3bf710c58060000006c6174696e31710d74710e52710f58050000007475706c657110284b015801000000617111284b0274711274711358030000007365747114635f5f6275696c74696e5f5f0a7365740a7115285d71164b0761747117527118580600000066726f7a656e7119635f5f6275696c74696e5f5f0a66726f7a656e7365740a711a285d711b4b086174711c52711d58020000006f64711e63636f6c6c656374696f6e730a4f726465726564446963740a711f295271202858010000006271214b0168114b02754b035806000000696e746b65797122580400000061726773712363636f70795f7265670a5f7265636f6e7374727563746f720a7124286361726770617273650a4e616d6573706163650a7125635f5f6275696c74696e5f5f0a6f626a6563740a71264e7471275271287d71292858020000006c72712a473f1a36e2eb1c432d580600000065706f636873712b4d2c0158040000006e616d65712c580400000064657472712d75625806000000736861726564712e285d712f284b014b0265682f747130752e")]
        [InlineData(2, "80027d7100285804000000696e747371015d7102284b004b014bff4d00014dffff4a000001004affffffff4a000000808a0500000080008a08ffffffffffffff7f8a0800000000000000808a090000000000000000408a090000000000000000c0655806000000666c6f61747371035d71042847000000000000000047c00c000000000000473f1a36e2eb1c432d477ff00000000000006558040000006e6f6e6571054e5801000000747106885801000000667107895804000000746578747108580d000000c3bc6ec3af636f646520e29c93710958050000006279746573710a635f636f646563730a656e636f64650a710b5805000000787900c3bf710c58060000006c6174696e31710d86710e52710f58050000007475706c6571104b0158010000006171114b0285711287711358030000007365747114635f5f6275696c74696e5f5f0a7365740a71155d71164b0761857117527118580600000066726f7a656e7119635f5f6275696c74696e5f5f0a66726f7a656e7365740a711a5d711b4b086185711c52711d58020000006f64711e63636f6c6c656374696f6e730a4f726465726564446963740a711f295271202858010000006271214b0168114b02754b035806000000696e746b6579712258040000006172677371236361726770617273650a4e616d6573706163650a7124298171257d71262858020000006c727127473f1a36e2eb1c432d580600000065706f63687371284d2c0158040000006e616d657129580400000064657472712a75625806000000736861726564712b5d712c284b014b0265682c86712d752e")]
        [InlineData(3, "80037d7100285804000000696e747371015d7102284b004b014bff4d00014dffff4a000001004affffffff4a000000808a0500000080008a08ffffffffffffff7f8a0800000000000000808a090000000000000000408a090000000000000000c0655806000000666c6f61747371035d71042847000000000000000047c00c000000000000473f1a36e2eb1c432d477ff00000000000006558040000006e6f6e6571054e5801000000747106885801000000667107895804000000746578747108580d000000c3bc6ec3af636f646520e29c93710958050000006279746573710a4304787900ff710b58050000007475706c65710c4b01580100000061710d4b0285710e87710f58030000007365747110636275696c74696e730a7365740a71115d71124b0761857113527114580600000066726f7a656e7115636275696c74696e730a66726f7a656e7365740a71165d71174b086185711852711958020000006f64711a63636f6c6c656374696f6e730a4f726465726564446963740a711b2952711c28580100000062711d4b01680d4b02754b035806000000696e746b6579711e580400000061726773711f6361726770617273650a4e616d6573706163650a7120298171217d71222858020000006c727123473f1a36e2eb1c432d580600000065706f63687371244d2c0158040000006e616d65712558040000006465747271267562580600000073686172656471275d7128284b014b02656828867129752e")]
        [InlineData(4, "80049595010000000000007d94288c04696e7473945d94284b004b014bff4d00014dffff4a000001004affffffff4a000000808a0500000080008a08ffffffffffffff7f8a0800000000000000808a090000000000000000408a090000000000000000c0658c06666c6f617473945d942847000000000000000047c00c000000000000473f1a36e2eb1c432d477ff0000000000000658c046e6f6e65944e8c017494888c016694898c0474657874948c0dc3bc6ec3af636f646520e29c93948c056279746573944304787900ff948c057475706c65944b018c0161944b02859487948c03736574948f94284b07908c0666726f7a656e94284b0891948c026f64948c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c0162944b01680d4b02754b038c06696e746b6579948c0461726773948c086172677061727365948c094e616d6573706163659493942981947d94288c026c7294473f1a36e2eb1c432d8c0665706f636873944d2c018c046e616d65948c04646574729475628c06736861726564945d94284b014b026568268694752e")]
        [InlineData(5, "80059595010000000000007d94288c04696e7473945d94284b004b014bff4d00014dffff4a000001004affffffff4a000000808a0500000080008a08ffffffffffffff7f8a0800000000000000808a090000000000000000408a090000000000000000c0658c06666c6f617473945d942847000000000000000047c00c000000000000473f1a36e2eb1c432d477ff0000000000000658c046e6f6e65944e8c017494888c016694898c0474657874948c0dc3bc6ec3af636f646520e29c93948c056279746573944304787900ff948c057475706c65944b018c0161944b02859487948c03736574948f94284b07908c0666726f7a656e94284b0891948c026f64948c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c0162944b01680d4b02754b038c06696e746b6579948c0461726773948c086172677061727365948c094e616d6573706163659493942981947d94288c026c7294473f1a36e2eb1c432d8c0665706f636873944d2c018c046e616d65948c04646574729475628c06736861726564945d94284b014b026568268694752e")]
    public void ReadsEveryProtocol(int protocol, string hex)
    {
        var root = PickleReader.Loads(Convert.FromHexString(hex), $"protocol{protocol}");
        var d = Assert.IsType<PickleDict>(root);
        Assert.False(d.IsOrderedDict);

        var ints = Assert.IsType<List<object?>>(d["ints"]);
        var big = BigInteger.Pow(2, 70);
        object[] wantInts = { 0L, 1L, 255L, 256L, 65535L, 65536L, -1L, (long)int.MinValue, 1L << 31, long.MaxValue, long.MinValue, big, -big };
        Assert.Equal(wantInts, ints.ToArray());
        Assert.Equal(new object[] { 0.0, -3.5, 1e-4, double.PositiveInfinity }, Assert.IsType<List<object?>>(d["floats"]).ToArray());
        Assert.Null(d["none"]);
        Assert.Equal(true, d["t"]);
        Assert.Equal(false, d["f"]);
        Assert.Equal("ünïcode ✓", d["text"]);
        Assert.Equal(new byte[] { (byte)'x', (byte)'y', 0, 0xff }, d["bytes"]);
        var tuple = Assert.IsType<object?[]>(d["tuple"]);
        Assert.Equal(1L, tuple[0]);
        Assert.Equal("a", tuple[1]);
        Assert.Equal(new object?[] { 2L }, tuple[2]);
        Assert.Equal(new object?[] { 7L }, Assert.IsType<PickleSet>(d["set"]).ToArray());
        var frozen = Assert.IsType<PickleSet>(d["frozen"]);
        Assert.True(frozen.IsFrozen);
        Assert.Equal(new object?[] { 8L }, frozen.ToArray());
        var od = Assert.IsType<PickleDict>(d["od"]);
        Assert.True(od.IsOrderedDict);
        Assert.Equal(new object?[] { "b", "a" }, od.Keys.ToArray());
        Assert.Equal("intkey", d[3L]);
        Assert.Equal("intkey", d[3]);       // Python key equality: 3 == 3L
        var args = Assert.IsType<PickleObject>(d["args"]);
        Assert.Equal("argparse", args.Module);
        Assert.Equal("Namespace", args.Name);
        Assert.Equal(1e-4, args.GetAttribute("lr"));
        Assert.Equal(300L, args.GetAttribute("epochs"));
        Assert.Equal("detr", args.GetAttribute("name"));
        var shared = Assert.IsType<object?[]>(d["shared"]);
        Assert.Same(shared[0], shared[1]);
        Assert.Equal("argparse.Namespace(lr=0.0001, epochs=300, name='detr')", PickleFormat.Repr(args));
    }

    static object? Load(params byte[] bytes) => PickleReader.Loads(bytes, "hand.pkl");

    static byte[] B(string s) => s.Select(c => (byte)c).ToArray();

    static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    static byte[] U64(long v) => BitConverter.GetBytes(v);

    [Fact]
    public void Protocol4And5OpcodesPythonOnlyWritesForHugeValues()
    {
        // BINUNICODE8, BINBYTES8, BYTEARRAY8 (+READONLY_BUFFER), inside FRAME, with MEMOIZE and a TUPLE
        var p = Cat(new byte[] { 0x80, 5, 0x95 }, U64(40), new byte[] { (byte)'(' },
            new byte[] { 0x8d }, U64(2), B("hi"), new byte[] { 0x94 },
            new byte[] { 0x8e }, U64(3), new byte[] { 1, 2, 3 },
            new byte[] { 0x96 }, U64(1), new byte[] { 9, 0x98 },
            new byte[] { (byte)'h', 0 },
            B("t."));
        var t = Assert.IsType<object?[]>(Load(p));
        Assert.Equal("hi", t[0]);
        Assert.Equal(new byte[] { 1, 2, 3 }, t[1]);
        Assert.Equal(new byte[] { 9 }, t[2]);
        Assert.Equal("hi", t[3]);
    }

    [Fact]
    public void Long4AndStackGlobalAndNewObjEx()
    {
        var p = Cat(new byte[] { 0x80, 4 },
            new byte[] { 0x8b }, BitConverter.GetBytes(9), new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 1 },   // LONG4 2^64
            new byte[] { 0x8c, 3 }, B("foo"), new byte[] { 0x8c, 3 }, B("Bar"), new byte[] { 0x93 }, // STACK_GLOBAL
            new byte[] { (byte)')', (byte)'}', 0x92 },                                                  // NEWOBJ_EX
            new byte[] { 0x86, (byte)'.' });
        var t = Assert.IsType<object?[]>(Load(p));
        Assert.Equal(BigInteger.Pow(2, 64), t[0]);
        var o = Assert.IsType<PickleObject>(t[1]);
        Assert.Equal("foo.Bar", o.FullName);
    }

    [Fact]
    public void TextOpcodesOfProtocol0()
    {
        var p = B("(S'a\\'b\\n'\nI01\nI-7\nL123456789012345678901234567890L\nF2.5\n" +
                  "cbuiltins\nslice\n(I1\ntRp0\ng0\n(lp1\n(dp2\nVk\nI2\nst.");
        var t = Assert.IsType<object?[]>(Load(p));
        Assert.Equal("a'b\n", t[0]);
        Assert.Equal(true, t[1]);
        Assert.Equal(-7L, t[2]);
        Assert.Equal(BigInteger.Parse("123456789012345678901234567890"), t[3]);
        Assert.Equal(2.5, t[4]);
        Assert.Equal("builtins.slice", Assert.IsType<PickleObject>(t[5]).FullName);
        Assert.Same(t[5], t[6]);
        Assert.Empty(Assert.IsType<List<object?>>(t[7]));
        Assert.Equal(2L, Assert.IsType<PickleDict>(t[8])["k"]);
    }

    [Fact]
    public void UnsupportedOpcodeNamesFileOpcodeAndOffset()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => Load(0x80, 2, 0x82, 1, (byte)'.'));
        Assert.Contains("hand.pkl", e.Message);
        Assert.Contains("EXT1", e.Message);
        Assert.Contains("offset 2", e.Message);
        var e2 = Assert.Throws<CheckpointFormatException>(() => Load(0x80, 2, 0xff));
        Assert.Contains("unsupported pickle opcode 0xff", e2.Message);
    }

    [Fact]
    public void MalformedInputRaisesFormatErrors()
    {
        Assert.Throws<CheckpointFormatException>(() => Load(0x80, 2, (byte)'X', 100, 0, 0, 0, (byte)'a'));   // string past the end
        Assert.Throws<CheckpointFormatException>(() => Load(0x80, 2, (byte)'a', (byte)'.'));                  // stack underflow
        Assert.Throws<CheckpointFormatException>(() => Load(0x80, 2, (byte)'h', 5, (byte)'.'));               // missing memo
        Assert.Throws<CheckpointFormatException>(() => Load(0x80, 2, (byte)'N'));                             // no STOP
        Assert.Throws<CheckpointFormatException>(() => Load(0x80, 2, (byte)'t', (byte)'.'));                  // TUPLE without MARK
        Assert.Throws<CheckpointFormatException>(() => Load(0x80, 9, (byte)'N', (byte)'.'));                  // protocol 9
        Assert.Throws<CheckpointFormatException>(() => Load(0x80, 2, (byte)'N', (byte)'Q', (byte)'.'));       // persistent id, no handler
    }

    [Fact]
    public void DictKeysFollowPythonEquality()
    {
        var d = new PickleDict { IsOrderedDict = true };
        d[1L] = "one";
        d[true] = "true";          // True == 1 in Python: replaces, keeps position
        d[new object?[] { 1L, "a" }] = "tuple";
        d[null] = "none";
        Assert.Equal(3, d.Count);
        Assert.Equal("true", d[1]);
        Assert.Equal("tuple", d[new object?[] { 1, "a" }]);
        Assert.Equal("none", d[null]);
        Assert.True(d.Remove(1L));
        Assert.Equal(new object?[] { new object?[] { 1L, "a" }, null }, d.Keys.ToArray());
    }
}
