using Google.Protobuf;

namespace DetrSharp.Export.Proto;

/// <summary>onnx.proto3 ModelProto: IR version, opset imports, producer, the graph and metadata_props.</summary>
public sealed class ModelProto : ProtoMessage
{
    public long IrVersion { get; set; }
    public List<OperatorSetIdProto> OpsetImport { get; } = [];
    public string ProducerName { get; set; } = "";
    public string ProducerVersion { get; set; } = "";
    public string Domain { get; set; } = "";
    public long ModelVersion { get; set; }
    public string DocString { get; set; } = "";
    public GraphProto? Graph { get; set; }
    public List<StringStringEntryProto> MetadataProps { get; } = [];

    public override void WriteTo(CodedOutputStream o)
    {
        Int64(o, 1, IrVersion);
        String(o, 2, ProducerName);
        String(o, 3, ProducerVersion);
        String(o, 4, Domain);
        Int64(o, 5, ModelVersion);
        String(o, 6, DocString);
        Message(o, 7, Graph);
        Messages(o, 8, OpsetImport);
        Messages(o, 14, MetadataProps);
    }
}

/// <summary>onnx.proto3 OperatorSetIdProto: domain ("" = ai.onnx) and version.</summary>
public sealed class OperatorSetIdProto : ProtoMessage
{
    public string Domain { get; set; } = "";
    public long Version { get; set; }

    public override void WriteTo(CodedOutputStream o)
    {
        String(o, 1, Domain);
        Int64(o, 2, Version);
    }
}

/// <summary>onnx.proto3 StringStringEntryProto: one metadata key and value.</summary>
public sealed class StringStringEntryProto : ProtoMessage
{
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";

    public override void WriteTo(CodedOutputStream o)
    {
        String(o, 1, Key);
        String(o, 2, Value);
    }
}
