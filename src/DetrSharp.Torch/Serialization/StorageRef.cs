namespace DetrSharp.Torch.Serialization;

/// <summary>
/// One storage a checkpoint's persistent ids name: its key (the zip record <c>data/KEY</c>, or the legacy
/// format's key), element type and length. Every tensor view of it shares this one object.
/// </summary>
public sealed class StorageRef
{
    /// <summary>The storage key as written in the persistent id (<c>"0"</c>, <c>"12"</c>, or a legacy number).</summary>
    public string Key { get; }

    /// <summary>The element type of the storage class (raw bytes for untyped storages).</summary>
    public ScalarType DType { get; }

    /// <summary>The device the writer recorded (<c>cpu</c>, <c>cuda:0</c>); tensors are loaded to the CPU.</summary>
    public string Location { get; }

    /// <summary>Length in elements of <see cref="DType"/>.</summary>
    public long NumElements { get; }

    /// <summary>Length in bytes.</summary>
    public long ByteLength => checked(NumElements * DType.ElementSize());

    public StorageRef(string key, ScalarType dtype, string location, long numElements)
    {
        Key = key;
        DType = dtype;
        Location = location;
        NumElements = numElements;
    }

    public override string ToString() => $"storage '{Key}' ({DType.Name()}, {NumElements} elements, {Location})";
}

/// <summary>A legacy-format storage view: <paramref name="Root"/>'s elements from <paramref name="Offset"/>.</summary>
internal sealed record StorageSlice(StorageRef Root, long Offset, long NumElements);
