using Google.Protobuf;

namespace DetrSharp.Export.Proto;

/// <summary>onnx.proto3 GraphProto: nodes (topologically sorted), name, initializers, inputs and outputs.</summary>
public sealed class GraphProto : ProtoMessage
{
    public List<NodeProto> Node { get; } = [];
    public string Name { get; set; } = "";
    public List<TensorProto> Initializer { get; } = [];
    public string DocString { get; set; } = "";
    public List<ValueInfoProto> Input { get; } = [];
    public List<ValueInfoProto> Output { get; } = [];

    public override void WriteTo(CodedOutputStream o)
    {
        Messages(o, 1, Node);
        String(o, 2, Name);
        Messages(o, 5, Initializer);
        String(o, 10, DocString);
        Messages(o, 11, Input);
        Messages(o, 12, Output);
    }
}

/// <summary>onnx.proto3 NodeProto: one operator call.</summary>
public sealed class NodeProto : ProtoMessage
{
    public List<string> Input { get; } = [];
    public List<string> Output { get; } = [];
    public string Name { get; set; } = "";
    public string OpType { get; set; } = "";
    public string Domain { get; set; } = "";
    public List<AttributeProto> Attribute { get; } = [];

    public override void WriteTo(CodedOutputStream o)
    {
        Strings(o, 1, Input);
        Strings(o, 2, Output);
        String(o, 3, Name);
        String(o, 4, OpType);
        Messages(o, 5, Attribute);
        String(o, 7, Domain);
    }
}
