using System.Text;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// PyTorch's zip checkpoint: <c>PREFIX/data.pkl</c> (the object pickle), <c>PREFIX/data/KEY</c> (one record per
/// storage), <c>PREFIX/version</c> and, in newer files, <c>PREFIX/byteorder</c>. PREFIX is the folder of the
/// archive's first record, as PyTorch's reader takes it.
/// </summary>
public sealed class ZipCheckpoint : CheckpointFile
{
    readonly ZipReader zip;
    readonly string prefix;

    /// <summary>The <c>version</c> record's number (3 for torch.save), or null when absent.</summary>
    public int? Version { get; }

    /// <summary>True when the <c>byteorder</c> record says <c>big</c>.</summary>
    public bool BigEndian { get; }

    public override CheckpointFormat Format => CheckpointFormat.Zip;

    internal ZipCheckpoint(ByteSource source) : this(source, Parse(source)) { }

    ZipCheckpoint(ByteSource source, (ZipReader Zip, string Prefix, object? Root, Dictionary<string, StorageRef> Storages, int? Version, bool Big) p)
        : base(source, p.Root, p.Storages)
    {
        zip = p.Zip;
        prefix = p.Prefix;
        Version = p.Version;
        BigEndian = p.Big;
    }

    static (ZipReader, string, object?, Dictionary<string, StorageRef>, int?, bool) Parse(ByteSource source)
    {
        var zip = new ZipReader(source);
        if (zip.Entries.Count == 0) throw new CheckpointFormatException(source.Name, "zip archive holds no records");
        string first = zip.Entries[0].Name;
        int slash = first.IndexOf('/');
        string prefix = slash < 0 ? "" : first[..(slash + 1)];

        var pkl = zip.Find(prefix + "data.pkl");
        if (pkl == null)
        {
            if (zip.Find(prefix + "constants.pkl") != null || zip.Entries.Any(e => e.Name.StartsWith(prefix + "code/", StringComparison.Ordinal)))
                throw new CheckpointFormatException(source.Name, "this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint");
            throw new CheckpointFormatException(source.Name, $"zip archive has no '{prefix}data.pkl' record: not a torch.save checkpoint");
        }

        int? version = null;
        var v = zip.Find(prefix + "version") ?? zip.Find(prefix + ".data/version");
        if (v != null)
        {
            if (v.Size > 64) throw new CheckpointFormatException(source.Name, $"'{v.Name}' record is {v.Size} bytes, not a version number");
            var text = Encoding.ASCII.GetString(zip.ReadAllBytes(v)).Trim();
            if (!int.TryParse(text, out int n)) throw new CheckpointFormatException(source.Name, $"'{v.Name}' record holds '{text}', not a version number");
            version = n;
        }

        bool big = false;
        var bo = zip.Find(prefix + "byteorder");
        if (bo != null)
        {
            if (bo.Size > 64) throw new CheckpointFormatException(source.Name, $"'{bo.Name}' record is {bo.Size} bytes");
            var order = Encoding.ASCII.GetString(zip.ReadAllBytes(bo)).Trim();
            big = order switch
            {
                "little" => false,
                "big" => true,
                _ => throw new CheckpointFormatException(source.Name, $"'{bo.Name}' record holds '{order}', neither 'little' nor 'big'"),
            };
        }

        var pickle = zip.ReadAllBytes(pkl);
        var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        var root = new TorchUnpickler(ByteSource.FromMemory(pickle, source.Name), 0, pkl.Name, storages).Load();
        foreach (var s in storages.Values)
            if (zip.Find(prefix + "data/" + s.Key) == null)
                throw new CheckpointFormatException(source.Name, $"storage '{s.Key}' has no '{prefix}data/{s.Key}' record (truncated or corrupt archive)");
        return (zip, prefix, root, storages, version, big);
    }

    /// <summary>The zip record that holds a storage.</summary>
    public ZipEntry RecordOf(StorageRef storage)
        => zip.Find(prefix + "data/" + storage.Key) ?? throw Corrupt($"storage '{storage.Key}' has no '{prefix}data/{storage.Key}' record");

    public override long StoredBytes(StorageRef storage) => RecordOf(storage).Size;

    public override unsafe void ReadStorage(StorageRef storage, byte* destination, long byteCount)
    {
        var e = RecordOf(storage);
        if (e.Size < byteCount)
            throw Corrupt($"zip record '{e.Name}' holds {e.Size} bytes but storage '{storage.Key}' needs {byteCount} ({storage.NumElements} × {storage.DType.Name()}): truncated or corrupt");
        zip.ReadInto(e, destination, byteCount);
        if (BigEndian) SwapBytes(destination, byteCount, storage.DType.ElementSize());
    }
}
