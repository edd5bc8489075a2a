using System.Buffers.Binary;
using System.Collections;
using System.Numerics;
using System.Text;
using static DetrSharp.Torch.Serialization.PickleOpcodes;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// Writes values as a protocol-2 pickle, the opcodes Python's <c>torch.save</c> emits (and that
/// <c>torch.load(weights_only=True)</c> accepts): BININT*/LONG1, BINFLOAT, BINUNICODE, NEWTRUE/NEWFALSE,
/// tuples, EMPTY_LIST+APPENDS, EMPTY_DICT+SETITEMS (1000 a batch), <c>collections.OrderedDict</c> via REDUCE,
/// and BINPUT/BINGET for repeated globals. Subclasses add their own objects (the torch layer's tensors).
/// </summary>
/// <remarks>
/// Mapping: null → None; bool; integers and <see cref="BigInteger"/> → int; float/double → float; string → str;
/// byte[] → bytes; <c>object?[]</c> → tuple; <see cref="PickleDict"/> → dict or OrderedDict (its flag);
/// other dictionaries → OrderedDict when ordered (<see cref="System.Collections.Specialized.IOrderedDictionary"/>,
/// <c>OrderedDictionary&lt;K,V&gt;</c>) or when <see cref="IsStateDictLike"/> says so, else dict;
/// <see cref="PickleSet"/> → set; any other enumerable (List, arrays) → list; <see cref="PickleGlobal"/> and
/// <see cref="PickleObject"/> → the class and a REDUCE (+ BUILD of its state).
/// </remarks>
public class PickleWriter
{
    /// <summary>Deepest container nesting written.</summary>
    public const int MaxDepth = 1000;

    const int BatchSize = 1000;

    readonly MemoryStream output = new();
    readonly Dictionary<(string, string), int> globals = new();
    readonly HashSet<object> inProgress = new(ReferenceEqualityComparer.Instance);
    int memoCount;

    /// <summary>The whole pickle of <paramref name="value"/>: PROTO 2 ... STOP.</summary>
    public byte[] Dumps(object? value)
    {
        output.SetLength(0);
        globals.Clear();
        memoCount = 0;
        Op(PROTO);
        Op(2);
        Save(value, 0);
        Op(STOP);
        return output.ToArray();
    }

    /// <summary>Hook for a subclass's own types; return true when it wrote <paramref name="value"/>.</summary>
    protected virtual bool TrySaveSpecial(object value, int depth) => false;

    /// <summary>Whether a non-PickleDict dictionary should be written as an OrderedDict; by default never.</summary>
    protected virtual bool IsStateDictLike(IDictionary dictionary) => false;

    /// <summary>Writes one value (and everything it contains).</summary>
    protected void Save(object? v, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException($"cannot pickle: values nest deeper than {MaxDepth} levels");
        switch (v)
        {
            case null: Op(NONE); return;
            case bool b: Op(b ? NEWTRUE : NEWFALSE); return;
            case sbyte or byte or short or ushort or int or uint or long: SaveInt(Convert.ToInt64(v)); return;
            case ulong u: if (u <= long.MaxValue) SaveInt((long)u); else SaveBig(u); return;
            case BigInteger big: if (big >= long.MinValue && big <= long.MaxValue) SaveInt((long)big); else SaveBig(big); return;
            case float f: SaveFloat(f); return;
            case double d: SaveFloat(d); return;
            case string s: SaveString(s); return;
            case PickleGlobal g: SaveGlobal(g.Module, g.Name); return;
        }
        if (TrySaveSpecial(v, depth)) return;
        if (!inProgress.Add(v)) throw new ArgumentException("cannot pickle: a container holds itself (cyclic reference)");
        try
        {
            switch (v)
            {
                case byte[] bytes: SaveBytes(bytes); break;
                case object?[] tuple: SaveTuple(tuple, depth); break;
                case PickleDict pd:
                    SaveDict(pd.Select(kv => (kv.Key, kv.Value)), pd.IsOrderedDict, depth);
                    if (pd.State is not null)
                    {
                        Save(pd.State, depth + 1);
                        Op(BUILD);
                    }
                    break;
                case PickleSet set:
                    SaveGlobal("__builtin__", set.IsFrozen ? "frozenset" : "set");
                    Op(EMPTY_LIST);
                    Appends(set, depth);
                    Op(TUPLE1);
                    Op(REDUCE);
                    break;
                case PickleObject po: SaveObject(po, depth); break;
                case IDictionary dict:
                    SaveDict(Pairs(dict), dict is System.Collections.Specialized.IOrderedDictionary || IsGenericOrdered(dict) || IsStateDictLike(dict), depth);
                    break;
                case IEnumerable list:
                    Op(EMPTY_LIST);
                    Memoize();
                    Appends(list.Cast<object?>(), depth);
                    break;
                default:
                    throw new ArgumentException($"cannot pickle a value of type {v.GetType().FullName}");
            }
        }
        finally
        {
            inProgress.Remove(v);
        }
    }

    static IEnumerable<(object? Key, object? Value)> Pairs(IDictionary d)
    {
        foreach (DictionaryEntry e in d) yield return (e.Key, e.Value);
    }

    static bool IsGenericOrdered(IDictionary d)
    {
        var t = d.GetType();
        return t.IsGenericType && t.GetGenericTypeDefinition() == typeof(OrderedDictionary<,>);
    }

    void SaveDict(IEnumerable<(object? Key, object? Value)> items, bool ordered, int depth)
    {
        if (ordered)
        {
            SaveGlobal("collections", "OrderedDict");
            Op(EMPTY_TUPLE);
            Op(REDUCE);
        }
        else Op(EMPTY_DICT);
        Memoize();
        var batch = new List<(object?, object?)>(BatchSize);
        foreach (var kv in items)
        {
            batch.Add(kv);
            if (batch.Count == BatchSize) FlushItems(batch, depth);
        }
        FlushItems(batch, depth);
    }

    void FlushItems(List<(object? Key, object? Value)> batch, int depth)
    {
        if (batch.Count == 0) return;
        if (batch.Count > 1) Op(MARK);
        foreach (var (k, val) in batch)
        {
            Save(k, depth + 1);
            Save(val, depth + 1);
        }
        Op(batch.Count > 1 ? SETITEMS : SETITEM);
        batch.Clear();
    }

    void Appends(IEnumerable<object?> items, int depth)
    {
        var batch = new List<object?>(BatchSize);
        foreach (var x in items)
        {
            batch.Add(x);
            if (batch.Count == BatchSize) FlushList(batch, depth);
        }
        FlushList(batch, depth);
    }

    void FlushList(List<object?> batch, int depth)
    {
        if (batch.Count == 0) return;
        if (batch.Count > 1) Op(MARK);
        foreach (var x in batch) Save(x, depth + 1);
        Op(batch.Count > 1 ? APPENDS : APPEND);
        batch.Clear();
    }

    void SaveObject(PickleObject po, int depth)
    {
        SaveGlobal(po.Module, po.Name);
        SaveTuple(po.Args, depth);
        Op(REDUCE);
        if (po.ListItems is { Count: > 0 }) Appends(po.ListItems, depth);
        if (po.DictItems is { Count: > 0 })
        {
            var batch = new List<(object?, object?)>();
            foreach (var kv in po.DictItems) batch.Add((kv.Key, kv.Value));
            FlushItems(batch, depth);
        }
        if (po.State is not null)
        {
            Save(po.State, depth + 1);
            Op(BUILD);
        }
    }

    /// <summary>Writes a tuple (EMPTY_TUPLE, TUPLE1-3, or MARK ... TUPLE).</summary>
    protected void SaveTuple(IReadOnlyList<object?> items, int depth)
    {
        switch (items.Count)
        {
            case 0: Op(EMPTY_TUPLE); return;
            case <= 3:
                foreach (var x in items) Save(x, depth + 1);
                Op(items.Count == 1 ? TUPLE1 : items.Count == 2 ? TUPLE2 : TUPLE3);
                return;
            default:
                Op(MARK);
                foreach (var x in items) Save(x, depth + 1);
                Op(TUPLE);
                return;
        }
    }

    /// <summary>Writes GLOBAL 'module name' the first time (then BINPUT), BINGET after.</summary>
    protected void SaveGlobal(string module, string name)
    {
        if (globals.TryGetValue((module, name), out int id))
        {
            MemoGet(id);
            return;
        }
        Op(GLOBAL);
        Ascii(module);
        Op((byte)'\n');
        Ascii(name);
        Op((byte)'\n');
        globals[(module, name)] = Memoize();
    }

    /// <summary>Writes BINPUT/LONG_BINPUT of the next memo slot and returns the slot.</summary>
    protected int Memoize()
    {
        int id = memoCount++;
        if (id < 256)
        {
            Op(BINPUT);
            Op((byte)id);
        }
        else
        {
            Op(LONG_BINPUT);
            U32((uint)id);
        }
        return id;
    }

    void MemoGet(int id)
    {
        if (id < 256)
        {
            Op(BINGET);
            Op((byte)id);
        }
        else
        {
            Op(LONG_BINGET);
            U32((uint)id);
        }
    }

    /// <summary>Writes an int with the smallest opcode Python would use.</summary>
    protected void SaveInt(long v)
    {
        if (v >= 0 && v < 256)
        {
            Op(BININT1);
            Op((byte)v);
        }
        else if (v >= 0 && v < 65536)
        {
            Op(BININT2);
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
            output.Write(b);
        }
        else if (v >= int.MinValue && v <= int.MaxValue)
        {
            Op(BININT);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            output.Write(b);
        }
        else SaveBig(v);
    }

    void SaveBig(BigInteger v)
    {
        var bytes = v.ToByteArray(isUnsigned: false, isBigEndian: false);
        if (bytes.Length < 256)
        {
            Op(LONG1);
            Op((byte)bytes.Length);
        }
        else
        {
            Op(LONG4);
            U32((uint)bytes.Length);
        }
        output.Write(bytes);
    }

    /// <summary>Writes BINFLOAT (8 bytes big-endian).</summary>
    protected void SaveFloat(double d)
    {
        Op(BINFLOAT);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, d);
        output.Write(b);
    }

    /// <summary>Writes BINUNICODE (UTF-8).</summary>
    protected void SaveString(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Op(BINUNICODE);
        U32((uint)bytes.Length);
        output.Write(bytes);
    }

    void SaveBytes(byte[] bytes)
    {
        // Protocol 2 has no bytes opcode: Python 3 writes _codecs.encode(latin-1 text, 'latin1').
        if (bytes.Length == 0)
        {
            SaveGlobal("__builtin__", "bytes");
            Op(EMPTY_TUPLE);
            Op(REDUCE);
            return;
        }
        SaveGlobal("_codecs", "encode");
        SaveString(Encoding.Latin1.GetString(bytes));
        SaveString("latin1");
        Op(TUPLE2);
        Op(REDUCE);
    }

    /// <summary>Writes one raw byte (an opcode or its argument).</summary>
    protected void Op(byte b) => output.WriteByte(b);

    void U32(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        output.Write(b);
    }

    void Ascii(string s)
    {
        if (s.Contains('\n')) throw new ArgumentException($"cannot pickle global name '{s}'");
        output.Write(Encoding.UTF8.GetBytes(s));
    }
}
