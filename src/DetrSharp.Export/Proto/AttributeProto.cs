using Google.Protobuf;

namespace DetrSharp.Export.Proto;

/// <summary>onnx.proto3 AttributeProto.AttributeType.</summary>
public enum AttributeType
{
    Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7, Strings = 8,
}

/// <summary>onnx.proto3 AttributeProto: a named node attribute of one type (the field for that type set).</summary>
public sealed class AttributeProto : ProtoMessage
{
    public string Name { get; set; } = "";
    public AttributeType Type { get; set; }
    public float F { get; set; }
    public long I { get; set; }
    public string? S { get; set; }
    public TensorProto? T { get; set; }
    public List<float> Floats { get; } = [];
    public List<long> Ints { get; } = [];

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };
    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };
    public static AttributeProto Str(string name, string value) => new() { Name = name, Type = AttributeType.String, S = value };
    public static AttributeProto Tensor(string name, TensorProto value) => new() { Name = name, Type = AttributeType.Tensor, T = value };

    public static AttributeProto IntList(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public override void WriteTo(CodedOutputStream o)
    {
        String(o, 1, Name);
        // Scalars are written even when zero: the type field says which one is meant.
        switch (Type)
        {
            case AttributeType.Float:
                o.WriteTag(2, WireFormat.WireType.Fixed32);
                o.WriteFloat(F);
                break;
            case AttributeType.Int:
                o.WriteTag(3, WireFormat.WireType.Varint);
                o.WriteInt64(I);
                break;
            case AttributeType.String:
                o.WriteTag(4, WireFormat.WireType.LengthDelimited);
                o.WriteString(S ?? "");
                break;
            case AttributeType.Tensor:
                Message(o, 5, T);
                break;
        }
        PackedFloat(o, 7, Floats);
        PackedInt64(o, 8, Ints);
        Int32(o, 20, (int)Type);
    }
}
