using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using static DetrSharp.Torch.Serialization.PickleOpcodes;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// A pickle virtual machine for every opcode of protocols 0 to 5 (Python-built objects only: no code runs).
/// Values come back as null, bool, long (or <see cref="BigInteger"/> past 64 bits), double, string, byte[],
/// <c>object?[]</c> for tuples, <c>List&lt;object?&gt;</c> for lists, <see cref="PickleDict"/>,
/// <see cref="PickleSet"/>, and <see cref="PickleObject"/> stand-ins for any class it does not know.
/// Subclasses give meaning to persistent ids and to particular globals (the torch layer's tensors).
/// Malformed input raises <see cref="CheckpointFormatException"/> naming the file, the part and the offset.
/// </summary>
public class PickleReader
{
    const int BufferBytes = 1 << 16;

    readonly ByteSource source;
    readonly string part;
    readonly List<object?> stack = new();
    readonly Stack<int> marks = new();
    readonly List<object?> memo = new();                       // dense memo slots 0..n-1 (what picklers write)
    readonly Dictionary<long, object?> sparseMemo = new();     // any other slot a file names
    byte[] buffer = new byte[BufferBytes];
    long bufferStart;
    int bufferLength;
    long position;
    long opOffset;
    byte op;

    /// <summary>Reads the pickle that starts at <paramref name="offset"/> of <paramref name="source"/>.</summary>
    /// <param name="source">The file or bytes.</param>
    /// <param name="offset">Where the pickle starts.</param>
    /// <param name="part">What the pickle is, for error messages (e.g. <c>archive/data.pkl</c>).</param>
    public PickleReader(ByteSource source, long offset, string part)
    {
        this.source = source;
        this.part = part;
        position = offset;
    }

    /// <summary>Reads a pickle held in memory.</summary>
    public static object? Loads(byte[] pickle, string name = "<pickle>") => new PickleReader(ByteSource.FromMemory(pickle, name), 0, "pickle").Load();

    /// <summary>The offset just past the STOP opcode once <see cref="Load"/> returned.</summary>
    public long Position => position;

    /// <summary>The file's name, for messages.</summary>
    protected string FileName => source.Name;

    /// <summary>The error for a problem at the current opcode.</summary>
    protected CheckpointFormatException Error(string problem)
        => new(source.Name, $"{part}: {problem} (opcode {PickleOpcodes.Name(op) ?? $"0x{op:x2}"} at offset {opOffset})");

    /// <summary>Runs the pickle to its STOP and returns the object it built.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public object? Load()
    {
        try
        {
            while (true)
            {
                opOffset = position;
                op = ReadByte();
                if (op == STOP) return Pop();
                Step();
            }
        }
        catch (CheckpointFormatException) { throw; }
        catch (Exception e) when (e is InvalidCastException or IndexOutOfRangeException or ArgumentException
                                     or FormatException or OverflowException or InvalidOperationException
                                     or KeyNotFoundException or NullReferenceException or OutOfMemoryException
                                     or InvalidDataException or NotSupportedException)
        {
            throw Error($"corrupt pickle: {e.Message}");
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    void Step()
    {
        switch (op)
        {
            case PROTO:
                int proto = ReadByte();
                if (proto > 5) throw Error($"unsupported pickle protocol {proto}");
                break;
            case FRAME: ReadBytes(8); break;
            case MARK: marks.Push(stack.Count); break;
            case POP:
                if (marks.Count > 0 && marks.Peek() == stack.Count) marks.Pop();
                else Pop();
                break;
            case POP_MARK: PopMark(); break;
            case DUP: Push(Peek()); break;

            case NONE: Push(null); break;
            case NEWTRUE: Push(true); break;
            case NEWFALSE: Push(false); break;
            case BININT: Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;
            case BININT1: Push((long)ReadByte()); break;
            case BININT2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;
            case LONG1: Push(ReadLong(ReadByte())); break;
            case LONG4:
                int n4 = BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));
                if (n4 < 0) throw Error("negative LONG4 byte count");
                Push(ReadLong(n4));
                break;
            case INT:
            {
                string s = ReadLine();
                if (s == "00") Push(false);
                else if (s == "01") Push(true);
                else Push(ParseInt(s));
                break;
            }
            case LONG: Push(ParseInt(ReadLine().TrimEnd('L'))); break;
            case FLOAT: Push(ParseFloat(ReadLine())); break;
            case BINFLOAT: Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;

            case BINUNICODE: Push(ReadUtf8(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break;
            case SHORT_BINUNICODE: Push(ReadUtf8(ReadByte())); break;
            case BINUNICODE8: Push(ReadUtf8(BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8)))); break;
            case UNICODE: Push(RawUnicodeEscape(ReadLine())); break;
            case STRING: Push(PythonStringLiteral(ReadLine())); break;
            case BINSTRING: Push(Encoding.Latin1.GetString(ReadCounted(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))))); break;
            case SHORT_BINSTRING: Push(Encoding.Latin1.GetString(ReadCounted(ReadByte()))); break;
            case BINBYTES: Push(ReadCounted(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))).ToArray()); break;
            case SHORT_BINBYTES: Push(ReadCounted(ReadByte()).ToArray()); break;
            case BINBYTES8:
            case BYTEARRAY8: Push(ReadCounted(BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8))).ToArray()); break;
            case NEXT_BUFFER: throw Error("unsupported pickle opcode: out-of-band buffers (protocol 5 NEXT_BUFFER) are not in the file");
            case READONLY_BUFFER: break;

            case EMPTY_TUPLE: Push(Array.Empty<object?>()); break;
            case TUPLE1: { var a = Pop(); Push(new[] { a }); break; }
            case TUPLE2: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
            case TUPLE3: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }
            case TUPLE: Push(PopMark()); break;
            case EMPTY_LIST: Push(new List<object?>()); break;
            case LIST: Push(new List<object?>(PopMark())); break;
            case EMPTY_DICT: Push(new PickleDict()); break;
            case DICT:
            {
                var items = PopMark();
                if (items.Length % 2 != 0) throw Error("DICT with an odd number of items");
                var d = new PickleDict();
                for (int i = 0; i < items.Length; i += 2) d[items[i]] = items[i + 1];
                Push(d);
                break;
            }
            case EMPTY_SET: Push(new PickleSet()); break;
            case FROZENSET: Push(new PickleSet(PopMark(), frozen: true)); break;

            case APPEND: { var v = Pop(); Append(Peek(), new[] { v }); break; }
            case APPENDS: { var items = PopMark(); Append(Peek(), items); break; }
            case SETITEM: { var v = Pop(); var k = Pop(); SetItems(Peek(), new[] { k, v }); break; }
            case SETITEMS:
            {
                var items = PopMark();
                if (items.Length % 2 != 0) throw Error("SETITEMS with an odd number of items");
                SetItems(Peek(), items);
                break;
            }
            case ADDITEMS:
            {
                var items = PopMark();
                if (Peek() is not PickleSet set) throw Error($"ADDITEMS to a {TypeName(Peek())}, not a set");
                set.AddRange(items);
                break;
            }

            case PUT: MemoPut(ParseMemoKey(ReadLine())); break;
            case BINPUT: MemoPut(ReadByte()); break;
            case LONG_BINPUT: MemoPut(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))); break;
            case MEMOIZE: MemoPut(memo.Count + sparseMemo.Count); break;
            case GET: Push(MemoGet(ParseMemoKey(ReadLine()))); break;
            case BINGET: Push(MemoGet(ReadByte())); break;
            case LONG_BINGET: Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break;

            case GLOBAL:
            {
                string module = ReadLine(), name = ReadLine();
                Push(ResolveGlobal(MapModule(module), name));
                break;
            }
            case STACK_GLOBAL:
            {
                var name = Pop();
                var module = Pop();
                if (module is not string m || name is not string n) throw Error("STACK_GLOBAL needs two strings");
                Push(ResolveGlobal(MapModule(m), n));
                break;
            }
            case REDUCE:
            {
                var args = Pop();
                var callable = Pop();
                if (args is not object?[] tuple) throw Error($"REDUCE arguments are a {TypeName(args)}, not a tuple");
                Push(Reduce(callable, tuple));
                break;
            }
            case NEWOBJ:
            {
                var args = Pop();
                var cls = Pop();
                if (args is not object?[] tuple) throw Error($"NEWOBJ arguments are a {TypeName(args)}, not a tuple");
                Push(NewObject(cls, tuple, null));
                break;
            }
            case NEWOBJ_EX:
            {
                var kwargs = Pop();
                var args = Pop();
                var cls = Pop();
                if (args is not object?[] tuple) throw Error($"NEWOBJ_EX arguments are a {TypeName(args)}, not a tuple");
                Push(NewObject(cls, tuple, kwargs as PickleDict));
                break;
            }
            case INST:
            {
                string module = ReadLine(), name = ReadLine();
                var args = PopMark();
                Push(NewObject(ResolveGlobal(MapModule(module), name), args, null));
                break;
            }
            case OBJ:
            {
                var items = PopMark();
                if (items.Length == 0) throw Error("OBJ without a class");
                Push(NewObject(items[0], items[1..], null));
                break;
            }
            case BUILD:
            {
                var state = Pop();
                var obj = Pop();
                Push(Build(obj, state));
                break;
            }
            case BINPERSID: Push(PersistentLoad(Pop())); break;
            case PERSID: Push(PersistentLoad(ReadLine())); break;
            case EXT1:
            case EXT2:
            case EXT4:
                throw Error("unsupported pickle opcode: the copyreg extension registry is not available");
            default:
                throw Error($"unsupported pickle opcode 0x{op:x2}");
        }
    }

    // ---- hooks -------------------------------------------------------------------------------------

    /// <summary>The object a GLOBAL names; by default a <see cref="PickleGlobal"/>.</summary>
    protected virtual object? ResolveGlobal(string module, string name) => new PickleGlobal(module, name);

    /// <summary>The object a persistent id stands for; the base reader knows none.</summary>
    protected virtual object? PersistentLoad(object? pid)
        => throw Error($"persistent id {PickleFormat.Repr(pid)} but this reader resolves none");

    /// <summary>
    /// <c>callable(*args)</c> for REDUCE: builds the Python containers it knows (OrderedDict, set, bytes...)
    /// and a <see cref="PickleObject"/> for anything else.
    /// </summary>
    protected virtual object? Reduce(object? callable, object?[] args)
    {
        if (callable is not PickleGlobal g)
            return new PickleObject("", TypeName(callable), args);
        switch (g.FullName)
        {
            case "collections.OrderedDict":
            case "builtins.dict":
            {
                var d = new PickleDict(g.Name == "OrderedDict");
                if (args.Length > 0 && args[0] is not null)
                    foreach (var item in Iterate(args[0]))
                    {
                        if (item is not object?[] { Length: 2 } kv) throw Error($"{g.FullName} item is not a (key, value) pair");
                        d[kv[0]] = kv[1];
                    }
                return d;
            }
            case "builtins.set":
            case "builtins.frozenset":
                return new PickleSet(args.Length > 0 && args[0] is not null ? Iterate(args[0]) : [], g.Name == "frozenset");
            case "builtins.list":
                return new List<object?>(args.Length > 0 && args[0] is not null ? Iterate(args[0]) : []);
            case "builtins.tuple":
                return (args.Length > 0 && args[0] is not null ? Iterate(args[0]) : []).ToArray();
            case "builtins.bytearray":
            case "builtins.bytes":
                if (args.Length == 0) return Array.Empty<byte>();
                if (args[0] is byte[] b) return b;
                if (args[0] is string s && args.Length > 1 && args[1] is string enc) return Encode(s, enc);
                return new PickleObject(g.Module, g.Name, args);
            case "_codecs.encode":
                if (args.Length >= 1 && args[0] is string str)
                    return Encode(str, args.Length > 1 && args[1] is string e ? e : "utf-8");
                return new PickleObject(g.Module, g.Name, args);
            case "copyreg._reconstructor":
                if (args.Length >= 1 && args[0] is PickleGlobal cls)
                    return new PickleObject(cls.Module, cls.Name, args.Length > 2 && args[2] is not null ? [args[2]] : []);
                return new PickleObject(g.Module, g.Name, args);
            default:
                return new PickleObject(g.Module, g.Name, args);
        }
    }

    /// <summary><c>cls.__new__(cls, *args)</c> for NEWOBJ / NEWOBJ_EX / INST / OBJ: like <see cref="Reduce"/> by default.</summary>
    protected virtual object? NewObject(object? cls, object?[] args, PickleDict? kwargs)
    {
        var o = Reduce(cls, args);
        if (kwargs is { Count: > 0 } && o is PickleObject po && po.State is null) po.State = kwargs;
        return o;
    }

    /// <summary>BUILD: gives <paramref name="obj"/> its state. Stand-ins and dicts keep it; other values ignore it.</summary>
    protected virtual object? Build(object? obj, object? state)
    {
        switch (obj)
        {
            case PickleObject po:
                if (po.State is PickleDict existing && state is PickleDict more)
                    foreach (var kv in more) existing[kv.Key] = kv.Value;
                else po.State = state;
                break;
            case PickleDict d:
                d.State = state;
                break;
        }
        return obj;
    }

    // ---- stack -------------------------------------------------------------------------------------

    /// <summary>Pushes a value.</summary>
    protected void Push(object? value) => stack.Add(value);

    object? Pop()
    {
        if (stack.Count == 0 || (marks.Count > 0 && marks.Peek() >= stack.Count)) throw Error("pickle stack underflow");
        var v = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    object? Peek()
    {
        if (stack.Count == 0 || (marks.Count > 0 && marks.Peek() >= stack.Count)) throw Error("pickle stack underflow");
        return stack[^1];
    }

    object?[] PopMark()
    {
        if (marks.Count == 0) throw Error("no MARK on the stack");
        int m = marks.Pop();
        var items = stack.GetRange(m, stack.Count - m).ToArray();
        stack.RemoveRange(m, stack.Count - m);
        return items;
    }

    static readonly object Unset = new();

    void MemoPut(long key)
    {
        var value = Peek();
        if (key < memo.Count) memo[(int)key] = value;
        else if (key == memo.Count) memo.Add(value);
        else if (key - memo.Count < 1024)
        {
            while (memo.Count < key) memo.Add(Unset);
            memo.Add(value);
        }
        else sparseMemo[key] = value;
    }

    object? MemoGet(long key)
    {
        if (key < memo.Count && !ReferenceEquals(memo[(int)key], Unset)) return memo[(int)key];
        return sparseMemo.TryGetValue(key, out var v) ? v : throw Error($"memo key {key} is missing");
    }

    void Append(object? target, object?[] items)
    {
        switch (target)
        {
            case PickleSet set: set.AddRange(items); break;
            case List<object?> list: list.AddRange(items); break;
            case PickleObject po: (po.ListItems ??= new()).AddRange(items); break;
            default: throw Error($"APPEND to a {TypeName(target)}, not a list");
        }
    }

    void SetItems(object? target, object?[] items)
    {
        PickleDict d = target switch
        {
            PickleDict dict => dict,
            PickleObject po => po.DictItems ??= new PickleDict(),
            _ => throw Error($"SETITEM on a {TypeName(target)}, not a dict"),
        };
        for (int i = 0; i < items.Length; i += 2) d[items[i]] = items[i + 1];
    }

    IEnumerable<object?> Iterate(object? x) => x switch
    {
        List<object?> l => l,
        object?[] t => t,
        PickleDict d => d.Keys,
        _ => throw Error($"cannot iterate a {TypeName(x)}"),
    };

    /// <summary>A short Python-like type name for messages.</summary>
    protected static string TypeName(object? x) => x switch
    {
        null => "None",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string => "str",
        byte[] => "bytes",
        object?[] => "tuple",
        PickleSet => "set",
        List<object?> => "list",
        PickleDict => "dict",
        PickleGlobal g => g.FullName,
        PickleObject o => o.FullName,
        _ => x.GetType().Name,
    };

    static string MapModule(string module) => module switch
    {
        "__builtin__" => "builtins",
        "copy_reg" => "copyreg",
        _ => module,
    };

    static byte[] Encode(string s, string encoding) =>
        encoding.Replace("-", "").Replace("_", "").ToLowerInvariant() is "latin1" or "iso88591" or "l1"
            ? Encoding.Latin1.GetBytes(s)
            : Encoding.UTF8.GetBytes(s);

    // ---- input -------------------------------------------------------------------------------------

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

    object ParseInt(string s)
    {
        s = s.Trim();
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
        if (BigInteger.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var b)) return b;
        throw Error($"bad integer literal '{Clip(s)}'");
    }

    double ParseFloat(string s) => s.Trim() switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" or "-nan" => double.NaN,
        var t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : throw Error($"bad float literal '{Clip(t)}'"),
    };

    long ParseMemoKey(string s)
        => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long k) ? k : throw Error($"bad memo key '{Clip(s)}'");

    static string Clip(string s) => s.Length > 40 ? s[..40] + "..." : s;

    string RawUnicodeEscape(string line)
    {
        var sb = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length && (line[i + 1] == 'u' || line[i + 1] == 'U'))
            {
                int digits = line[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + digits <= line.Length
                    && int.TryParse(line.AsSpan(i + 2, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int cp)
                    && cp >= 0 && cp <= 0x10FFFF)
                {
                    if (cp >= 0xD800 && cp <= 0xDFFF) sb.Append((char)cp);
                    else sb.Append(char.ConvertFromUtf32(cp));
                    i += 1 + digits;
                    continue;
                }
            }
            sb.Append(line[i]);
        }
        // The line's bytes were read as Latin-1; raw-unicode-escape stores other characters as Latin-1 too.
        return sb.ToString();
    }

    string PythonStringLiteral(string line)
    {
        if (line.Length < 2 || line[0] != line[^1] || (line[0] != '\'' && line[0] != '"'))
            throw Error("STRING argument is not a quoted string");
        var s = line.AsSpan(1, line.Length - 2);
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '\\' || i + 1 >= s.Length) { sb.Append(c); continue; }
            char e = s[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': case '\'': case '"': sb.Append(e); break;
                case 'x' when i + 2 < s.Length && int.TryParse(s.Slice(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int hx):
                    sb.Append((char)hx);
                    i += 2;
                    break;
                case >= '0' and <= '7':
                {
                    int v = 0, k = 0;
                    while (k < 3 && i < s.Length && s[i] >= '0' && s[i] <= '7') { v = v * 8 + (s[i] - '0'); i++; k++; }
                    i--;
                    sb.Append((char)(v & 0xFF));
                    break;
                }
                default: sb.Append('\\').Append(e); break;
            }
        }
        return sb.ToString();
    }
}
