namespace DetrSharp.Torch.Serialization;

/// <summary>
/// PyTorch's storage classes (<c>torch.FloatStorage</c> ... and the untyped <c>torch.UntypedStorage</c>)
/// and dtype globals (<c>torch.float32</c>) mapped to <see cref="ScalarType"/> and back.
/// </summary>
public static class StorageTypes
{
    static readonly (string Name, ScalarType Type)[] Classes =
    {
        ("FloatStorage", ScalarType.Float32),
        ("DoubleStorage", ScalarType.Float64),
        ("HalfStorage", ScalarType.Float16),
        ("BFloat16Storage", ScalarType.BFloat16),
        ("LongStorage", ScalarType.Int64),
        ("IntStorage", ScalarType.Int32),
        ("ShortStorage", ScalarType.Int16),
        ("CharStorage", ScalarType.Int8),
        ("ByteStorage", ScalarType.Byte),
        ("BoolStorage", ScalarType.Bool),
        ("ComplexFloatStorage", ScalarType.ComplexFloat32),
        ("ComplexDoubleStorage", ScalarType.ComplexFloat64),
    };

    /// <summary>
    /// The element type of a storage class named in a persistent id: <c>torch.FloatStorage</c> etc., the
    /// untyped forms (<c>torch.UntypedStorage</c>, <c>torch.storage.UntypedStorage</c>, <c>torch.storage._UntypedStorage</c>)
    /// as raw bytes (<see cref="ScalarType.Byte"/>); false for anything else.
    /// </summary>
    public static bool TryFromClass(PickleGlobal cls, out ScalarType type)
    {
        type = ScalarType.Byte;
        if (!cls.Module.StartsWith("torch", StringComparison.Ordinal)) return false;
        if (cls.Name is "UntypedStorage" or "_UntypedStorage" or "ByteStorage") return true;
        foreach (var (name, t) in Classes)
            if (name == cls.Name)
            {
                type = t;
                return true;
            }
        return false;
    }

    /// <summary>The storage class name torch.save writes for this element type (<c>FloatStorage</c>).</summary>
    public static string ClassName(ScalarType type)
    {
        foreach (var (name, t) in Classes)
            if (t == type) return name;
        throw new ArgumentException($"no PyTorch storage class for dtype {type.Name()}");
    }

    /// <summary>The element type named by a dtype global such as <c>torch.float32</c> or <c>torch.long</c>.</summary>
    public static bool TryFromDtype(PickleGlobal g, out ScalarType type)
    {
        type = default;
        if (g.Module != "torch") return false;
        switch (g.Name)
        {
            case "complex64" or "cfloat": type = ScalarType.ComplexFloat32; return true;
            case "complex128" or "cdouble": type = ScalarType.ComplexFloat64; return true;
        }
        try
        {
            type = ScalarTypeInfo.Parse(g.Name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
