namespace DetrSharp.Torch;

/// <summary>Element types, numbered as c10::ScalarType (and TorchSharp's ScalarType).</summary>
public enum ScalarType : sbyte
{
    Byte = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Float16 = 5,
    Float32 = 6,
    Float64 = 7,
    ComplexFloat32 = 9,
    ComplexFloat64 = 10,
    Bool = 11,
    BFloat16 = 15,
}

/// <summary>Facts about element types.</summary>
public static class ScalarTypeInfo
{
    public static int ElementSize(this ScalarType t) => t switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unknown scalar type"),
    };

    public static bool IsFloatingPoint(this ScalarType t)
        => t is ScalarType.Float16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.BFloat16;

    public static bool IsIntegral(this ScalarType t, bool includeBool = false)
        => t is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64
           || (includeBool && t == ScalarType.Bool);

    /// <summary>PyTorch's name: float32, int64, bool ...</summary>
    public static string Name(this ScalarType t) => t switch
    {
        ScalarType.Byte => "uint8",
        ScalarType.Int8 => "int8",
        ScalarType.Int16 => "int16",
        ScalarType.Int32 => "int32",
        ScalarType.Int64 => "int64",
        ScalarType.Float16 => "float16",
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Bool => "bool",
        ScalarType.ComplexFloat32 => "complex64",
        ScalarType.ComplexFloat64 => "complex128",
        _ => t.ToString(),
    };

    /// <summary>The scalar type for a PyTorch dtype name ("float32", "float", "long", ...).</summary>
    public static ScalarType Parse(string name) => name switch
    {
        "uint8" => ScalarType.Byte,
        "int8" => ScalarType.Int8,
        "int16" or "short" => ScalarType.Int16,
        "int32" or "int" => ScalarType.Int32,
        "int64" or "long" => ScalarType.Int64,
        "float16" or "half" => ScalarType.Float16,
        "float32" or "float" => ScalarType.Float32,
        "float64" or "double" => ScalarType.Float64,
        "bfloat16" => ScalarType.BFloat16,
        "bool" => ScalarType.Bool,
        _ => throw new ArgumentException($"unknown dtype '{name}'"),
    };
}
