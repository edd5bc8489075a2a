namespace DetrSharp.Torch.Serialization;

/// <summary>The two on-disk layouts torch.save has used.</summary>
public enum CheckpointFormat
{
    /// <summary>PyTorch ≥ 1.6: a zip archive of <c>data.pkl</c>, <c>data/N</c> storage records and <c>version</c>.</summary>
    Zip,

    /// <summary>Before 1.6 (or <c>_use_new_zipfile_serialization=False</c>): magic number, pickles, raw storages.</summary>
    Legacy,
}

/// <summary>
/// A parsed checkpoint file, before any tensor exists: the unpickled object tree (tensors as
/// <see cref="TensorRecord"/>s), the storages it names, and a way to copy each storage's bytes straight
/// into memory the caller provides. Holds the file open until disposed.
/// </summary>
public abstract class CheckpointFile : IDisposable
{
    readonly ByteSource source;

    private protected CheckpointFile(ByteSource source, object? root, Dictionary<string, StorageRef> storages)
    {
        this.source = source;
        Root = root;
        Storages = storages;
    }

    /// <summary>The file's path (or the name given to an in-memory source).</summary>
    public string Name => source.Name;

    /// <summary>Zip or legacy.</summary>
    public abstract CheckpointFormat Format { get; }

    /// <summary>The object torch.save was given, with <see cref="TensorRecord"/>s where tensors were.</summary>
    public object? Root { get; }

    /// <summary>Every storage the pickle names, by key.</summary>
    public IReadOnlyDictionary<string, StorageRef> Storages { get; }

    /// <summary>The source being read.</summary>
    protected ByteSource Source => source;

    /// <summary>Opens and parses a checkpoint file of either format. The file must exist.</summary>
    public static CheckpointFile Open(string path) => Open(ByteSource.OpenFile(path));

    /// <summary>Parses a checkpoint held in memory (tests, fuzzing, embedded resources).</summary>
    public static CheckpointFile Open(byte[] bytes, string name) => Open(ByteSource.FromMemory(bytes, name));

    /// <summary>Parses the checkpoint in <paramref name="source"/>, which it then owns.</summary>
    public static CheckpointFile Open(ByteSource source)
    {
        try
        {
            if (source.Length == 0) throw new CheckpointFormatException(source.Name, "file is empty");
            if (ZipReader.LooksLikeZip(source)) return new ZipCheckpoint(source);
            Span<byte> head = stackalloc byte[2];
            source.Read(0, head);
            if (head[0] == PickleOpcodes.PROTO) return new LegacyCheckpoint(source);
            throw new CheckpointFormatException(source.Name,
                "not a PyTorch checkpoint: neither a zip archive nor a legacy pickle (first bytes " + Convert.ToHexString(head) + ")");
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies the first <paramref name="byteCount"/> bytes of <paramref name="storage"/> into native memory,
    /// checking the zip record's CRC; little-endian on return whatever the writer's byte order.
    /// </summary>
    public abstract unsafe void ReadStorage(StorageRef storage, byte* destination, long byteCount);

    /// <summary>How many bytes the file holds for <paramref name="storage"/> (checked before memory is allocated).</summary>
    public abstract long StoredBytes(StorageRef storage);

    /// <summary>The error for this file.</summary>
    protected CheckpointFormatException Corrupt(string problem) => new(source.Name, problem);

    /// <summary>Reverses the bytes of each element in place (for big-endian files).</summary>
    protected static unsafe void SwapBytes(byte* p, long byteCount, int elementSize)
    {
        if (elementSize == 1) return;
        int unit = elementSize == 16 ? 8 : elementSize; // complex: two floats
        for (long i = 0; i + unit <= byteCount; i += unit)
            new Span<byte>(p + i, unit).Reverse();
    }

    public void Dispose()
    {
        source.Dispose();
        GC.SuppressFinalize(this);
    }
}
