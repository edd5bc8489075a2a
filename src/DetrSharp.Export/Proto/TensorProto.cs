using System.Runtime.InteropServices;
using Google.Protobuf;

namespace DetrSharp.Export.Proto;

/// <summary>onnx.proto3 TensorProto.DataType (the element types the exporter writes).</summary>
public enum TensorDataType
{
    Undefined = 0, Float = 1, Uint8 = 2, Int8 = 3, Int32 = 6, Int64 = 7, Bool = 9, Double = 11,
}

/// <summary>onnx.proto3 TensorProto: dims, data type, name and the values as raw little-endian bytes.</summary>
public sealed class TensorProto : ProtoMessage
{
    public List<long> Dims { get; } = [];
    public TensorDataType DataType { get; set; }
    public string Name { get; set; } = "";
    public ReadOnlyMemory<byte> RawData { get; set; }

    public static TensorProto FromFloats(string name, float[] values, IReadOnlyList<long> dims)
        => Make(name, TensorDataType.Float, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), dims, values.Length);

    public static TensorProto FromInt64s(string name, long[] values, IReadOnlyList<long> dims)
        => Make(name, TensorDataType.Int64, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), dims, values.Length);

    static TensorProto Make(string name, TensorDataType type, byte[] raw, IReadOnlyList<long> dims, long count)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export: raw tensor data is written little-endian only");
        long expected = dims.Aggregate(1L, (a, d) => a * d);
        if (expected != count)
            throw new ArgumentException($"ONNX tensor '{name}': {count} values do not fill the shape [{string.Join(", ", dims)}]");
        var t = new TensorProto { Name = name, DataType = type, RawData = raw };
        t.Dims.AddRange(dims);
        return t;
    }

    public override void WriteTo(CodedOutputStream o)
    {
        PackedInt64(o, 1, Dims);
        Int32(o, 2, (int)DataType);
        String(o, 8, Name);
        Bytes(o, 9, RawData);
    }
}
