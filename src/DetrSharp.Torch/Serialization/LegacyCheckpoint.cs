using System.Buffers.Binary;
using System.Numerics;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// PyTorch's legacy (pre-1.6, non-zip) checkpoint: five pickles in a row (magic number, protocol version 1001,
/// system info, the object, the storage keys) followed, for each key in order, by an int64 element count
/// and the storage's raw little-endian bytes.
/// </summary>
public sealed class LegacyCheckpoint : CheckpointFile
{
    /// <summary>The magic number the legacy format starts with.</summary>
    public static readonly BigInteger MagicNumber = BigInteger.Parse("119547037146038801333356");

    /// <summary>The only legacy protocol version.</summary>
    public const long ProtocolVersion = 1001;

    readonly Dictionary<string, long> dataOffsets;

    public override CheckpointFormat Format => CheckpointFormat.Legacy;

    internal LegacyCheckpoint(ByteSource source) : this(source, Parse(source)) { }

    LegacyCheckpoint(ByteSource source, (object? Root, Dictionary<string, StorageRef> Storages, Dictionary<string, long> Offsets) p)
        : base(source, p.Root, p.Storages) => dataOffsets = p.Offsets;

    static (object?, Dictionary<string, StorageRef>, Dictionary<string, long>) Parse(ByteSource source)
    {
        CheckpointFormatException Bad(string what) => new(source.Name, what);

        var magicReader = new PickleReader(source, 0, "legacy magic number");
        var magic = magicReader.Load();
        bool magicOk = magic switch
        {
            BigInteger b => b == MagicNumber,
            _ => false,
        };
        if (!magicOk)
            throw Bad($"not a PyTorch checkpoint: the first pickle is {PickleFormat.Repr(magic, 4, 2)}, not the legacy magic number (a plain pickle, or a corrupt file)");

        var protoReader = new PickleReader(source, magicReader.Position, "legacy protocol version");
        var proto = protoReader.Load();
        if (proto is not long pv || pv != ProtocolVersion)
            throw Bad($"unsupported legacy protocol version {PickleFormat.Repr(proto)} (expected {ProtocolVersion})");

        var infoReader = new PickleReader(source, protoReader.Position, "legacy system info");
        var info = infoReader.Load();
        if (info is not PickleDict sys) throw Bad($"legacy system info is a {PickleFormat.Repr(info, 4, 2)}, not a dict");
        if (sys.TryGetValue("little_endian", out var le) && le is false)
            throw Bad("the file was written on a big-endian machine, which the legacy reader does not support");

        var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        var objReader = new TorchUnpickler(source, infoReader.Position, "legacy object pickle", storages);
        var root = objReader.Load();

        var keysReader = new PickleReader(source, objReader.Position, "legacy storage keys");
        var keys = keysReader.Load() as List<object?> ?? throw Bad("legacy storage key list is missing or not a list");

        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        long pos = keysReader.Position;
        Span<byte> count = stackalloc byte[8];
        foreach (var k in keys)
        {
            if (k is not string key) throw Bad($"legacy storage key {PickleFormat.Repr(k)} is not a str");
            if (!storages.TryGetValue(key, out var s)) throw Bad($"legacy storage '{key}' is listed but no tensor names it");
            if (pos > source.Length - 8) throw Bad($"legacy storage '{key}': file ends before its size (truncated)");
            source.Read(pos, count);
            long n = BinaryPrimitives.ReadInt64LittleEndian(count);
            if (n != s.NumElements)
                throw Bad($"legacy storage '{key}' holds {n} elements but the pickle says {s.NumElements}");
            long bytes = s.ByteLength;
            pos += 8;
            if (bytes > source.Length - pos)
                throw Bad($"legacy storage '{key}' needs {bytes} bytes at offset {pos}, the file has {source.Length - pos} left (truncated)");
            offsets[key] = pos;
            pos += bytes;
        }
        foreach (var s in storages.Values)
            if (!offsets.ContainsKey(s.Key)) throw Bad($"legacy storage '{s.Key}' is named by a tensor but its data is missing");
        return (root, storages, offsets);
    }

    public override long StoredBytes(StorageRef storage) => dataOffsets.ContainsKey(storage.Key) ? storage.ByteLength : 0;

    public override unsafe void ReadStorage(StorageRef storage, byte* destination, long byteCount)
    {
        if (!dataOffsets.TryGetValue(storage.Key, out long offset)) throw Corrupt($"legacy storage '{storage.Key}' has no data");
        if (byteCount > storage.ByteLength)
            throw Corrupt($"legacy storage '{storage.Key}' holds {storage.ByteLength} bytes, {byteCount} are needed");
        byte* mapped = Source.Pointer;
        if (mapped != null) Buffer.MemoryCopy(mapped + offset, destination, byteCount, byteCount);
        else Source.Read(offset, destination, byteCount);
    }
}
