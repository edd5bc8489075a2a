using DetrSharp.Export.Proto;

namespace DetrSharp.Export.Graph;

/// <summary>
/// Builds one ONNX graph: nodes in the order they are added (each emitter adds its module's nodes after its inputs'),
/// initializers (weights, constants such as shapes and anchors; equal integer constants shared), inputs and outputs.
/// Value names are unique: a hint plus a counter.
/// </summary>
public sealed class OnnxGraph
{
    readonly GraphProto _graph = new() { Name = "detrsharp" };
    readonly Dictionary<string, string> _intConstants = [];
    int _counter;

    /// <param name="opset">The ai.onnx opset the nodes are written for (13 to 18).</param>
    public OnnxGraph(int opset)
    {
        if (opset is < OnnxOpsets.Min or > OnnxOpsets.Max)
            throw new ArgumentOutOfRangeException(nameof(opset), opset, $"ONNX export: opset must be between {OnnxOpsets.Min} and {OnnxOpsets.Max}");
        Opset = opset;
    }

    public int Opset { get; }
    public int NodeCount => _graph.Node.Count;

    /// <summary>A fresh value name.</summary>
    public string Fresh(string hint) => $"{hint}_{_counter++}";

    /// <summary>A float initializer.</summary>
    /// <returns>its name</returns>
    public string Weight(string hint, float[] values, params long[] dims)
    {
        var name = Fresh(hint);
        _graph.Initializer.Add(TensorProto.FromFloats(name, values, dims));
        return name;
    }

    /// <summary>An int64 constant (shapes, axes, split sizes, k); equal constants are one initializer.</summary>
    public string Ints(params long[] values) => IntsShaped(values, [values.Length]);

    /// <summary>An int64 scalar constant (rank 0).</summary>
    public string IntScalar(long value) => IntsShaped([value], []);

    string IntsShaped(long[] values, long[] dims)
    {
        var key = $"[{string.Join(",", dims)}]{string.Join(",", values)}";
        if (_intConstants.TryGetValue(key, out var existing)) return existing;
        var name = Fresh("const");
        _graph.Initializer.Add(TensorProto.FromInt64s(name, values, dims));
        _intConstants[key] = name;
        return name;
    }

    /// <summary>A float scalar constant (rank 0).</summary>
    public string FloatScalar(float value)
    {
        var key = $"f{BitConverter.SingleToInt32Bits(value)}";
        if (_intConstants.TryGetValue(key, out var existing)) return existing;
        var name = Fresh("constf");
        _graph.Initializer.Add(TensorProto.FromFloats(name, [value], []));
        _intConstants[key] = name;
        return name;
    }

    /// <summary>Adds a node with <paramref name="outputs"/> outputs.</summary>
    /// <returns>the output names</returns>
    public string[] Node(string op, IReadOnlyList<string> inputs, int outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh(op) };
        node.Input.AddRange(inputs);
        var names = Enumerable.Range(0, outputs).Select(_ => Fresh(op.ToLowerInvariant())).ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return names;
    }

    /// <summary>Adds a one-output node.</summary>
    public string Op(string op, IReadOnlyList<string> inputs, params AttributeProto[] attributes) => Node(op, inputs, 1, attributes)[0];

    /// <summary>Adds a one-output node of one input.</summary>
    public string Op(string op, string input, params AttributeProto[] attributes) => Node(op, [input], 1, attributes)[0];

    /// <summary>Renames a value to a graph output's name by an Identity node.</summary>
    public void Output(string value, ValueInfoProto info)
    {
        var node = new NodeProto { OpType = "Identity", Name = Fresh("Identity") };
        node.Input.Add(value);
        node.Output.Add(info.Name);
        _graph.Node.Add(node);
        _graph.Output.Add(info);
    }

    public void Input(ValueInfoProto info) => _graph.Input.Add(info);

    /// <summary>The model: this graph, the opset import, the producer and the metadata.</summary>
    public ModelProto ToModel(IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = OnnxOpsets.IrVersion(Opset), ProducerName = "DetrSharp", ProducerVersion = typeof(OnnxGraph).Assembly.GetName().Version?.ToString() ?? "",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (k, v) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        return model;
    }
}
