using Google.Protobuf;

namespace DetrSharp.Export.Proto;

/// <summary>
/// A protobuf message the project defines itself (no protoc): each writes its set fields in field-number order with
/// <see cref="CodedOutputStream"/>; a nested message is written as a length-delimited field holding its bytes.
/// </summary>
public abstract class ProtoMessage
{
    /// <summary>Writes the message's fields (without a length prefix).</summary>
    public abstract void WriteTo(CodedOutputStream output);

    /// <summary>The message's serialised bytes.</summary>
    public byte[] ToByteArray()
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream, leaveOpen: true);
        WriteTo(output);
        output.Flush();
        return stream.ToArray();
    }

    protected static void Message(CodedOutputStream o, int field, ProtoMessage? message)
    {
        if (message == null) return;
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(UnsafeByteOperations.UnsafeWrap(message.ToByteArray()));
    }

    protected static void Messages(CodedOutputStream o, int field, IEnumerable<ProtoMessage> messages)
    {
        foreach (var m in messages) Message(o, field, m);
    }

    protected static void String(CodedOutputStream o, int field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    protected static void Strings(CodedOutputStream o, int field, IEnumerable<string> values)
    {
        foreach (var v in values)
        {
            o.WriteTag(field, WireFormat.WireType.LengthDelimited);
            o.WriteString(v);
        }
    }

    protected static void Bytes(CodedOutputStream o, int field, ReadOnlyMemory<byte> value)
    {
        if (value.IsEmpty) return;
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(UnsafeByteOperations.UnsafeWrap(value));
    }

    protected static void Int64(CodedOutputStream o, int field, long value)
    {
        if (value == 0) return;
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }

    protected static void Int32(CodedOutputStream o, int field, int value)
    {
        if (value == 0) return;
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt32(value);
    }

    protected static void Float(CodedOutputStream o, int field, float value)
    {
        if (value == 0 && !float.IsNegative(value)) return;
        o.WriteTag(field, WireFormat.WireType.Fixed32);
        o.WriteFloat(value);
    }

    /// <summary>A packed repeated int64 (proto3's default for repeated scalars).</summary>
    protected static void PackedInt64(CodedOutputStream o, int field, IReadOnlyList<long> values)
    {
        if (values.Count == 0) return;
        int size = values.Sum(CodedOutputStream.ComputeInt64Size);
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteLength(size);
        foreach (var v in values) o.WriteInt64(v);
    }

    /// <summary>A packed repeated float.</summary>
    protected static void PackedFloat(CodedOutputStream o, int field, IReadOnlyList<float> values)
    {
        if (values.Count == 0) return;
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteLength(values.Count * 4);
        foreach (var v in values) o.WriteFloat(v);
    }
}
