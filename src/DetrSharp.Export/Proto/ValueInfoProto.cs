using Google.Protobuf;

namespace DetrSharp.Export.Proto;

/// <summary>onnx.proto3 ValueInfoProto: a graph input or output's name and tensor type.</summary>
public sealed class ValueInfoProto : ProtoMessage
{
    public string Name { get; set; } = "";
    public TypeProto? Type { get; set; }
    public string DocString { get; set; } = "";

    /// <summary>A tensor value: each dimension a fixed size (long) or a symbolic name (string).</summary>
    public static ValueInfoProto Tensor(string name, TensorDataType elemType, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d switch
            {
                string p => new TensorShapeProto.Dimension { DimParam = p },
                _ => new TensorShapeProto.Dimension { DimValue = Convert.ToInt64(d) },
            });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.TensorTypeProto { ElemType = elemType, Shape = shape } } };
    }

    public override void WriteTo(CodedOutputStream o)
    {
        String(o, 1, Name);
        Message(o, 2, Type);
        String(o, 3, DocString);
    }
}

/// <summary>onnx.proto3 TypeProto (the tensor_type case only).</summary>
public sealed class TypeProto : ProtoMessage
{
    public TensorTypeProto? TensorType { get; set; }

    public override void WriteTo(CodedOutputStream o) => Message(o, 1, TensorType);

    /// <summary>onnx.proto3 TypeProto.Tensor: element type and shape.</summary>
    public sealed class TensorTypeProto : ProtoMessage
    {
        public TensorDataType ElemType { get; set; }
        public TensorShapeProto? Shape { get; set; }

        public override void WriteTo(CodedOutputStream o)
        {
            Int32(o, 1, (int)ElemType);
            Message(o, 2, Shape);
        }
    }
}

/// <summary>onnx.proto3 TensorShapeProto: one Dimension per axis.</summary>
public sealed class TensorShapeProto : ProtoMessage
{
    public List<Dimension> Dim { get; } = [];

    public override void WriteTo(CodedOutputStream o) => Messages(o, 1, Dim);

    /// <summary>A fixed size (dim_value, field 1) or a symbolic one (dim_param, field 2).</summary>
    public sealed class Dimension : ProtoMessage
    {
        public long? DimValue { get; set; }
        public string? DimParam { get; set; }

        public override void WriteTo(CodedOutputStream o)
        {
            if (DimValue is long v)
            {
                o.WriteTag(1, WireFormat.WireType.Varint);
                o.WriteInt64(v);
            }
            String(o, 2, DimParam);
        }
    }
}
