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
public partial class PickleReader
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
}
