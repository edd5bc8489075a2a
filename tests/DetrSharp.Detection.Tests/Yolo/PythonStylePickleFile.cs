using System.Runtime.InteropServices;
using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;
using static DetrSharp.Torch.Serialization.PickleOpcodes;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>
/// Writes a checkpoint the way Python's pickle (protocol 2) writes an nn.Module object: the class by GLOBAL,
/// an empty tuple and NEWOBJ (copyreg.__newobj__), then BUILD with its __dict__; tensors as
/// torch._utils._rebuild_tensor_v2 over ('storage', torch.FloatStorage, key, 'cpu', numel) persistent ids,
/// one data/&lt;key&gt; record each, in torch.save's zip layout. Float32 and int64 tensors only.
/// </summary>
internal sealed class PythonStylePickleFile : PickleWriter
{
    readonly List<(string Key, byte[] Bytes)> storages = new();

    public static void Save(object root, string path)
    {
        var writer = new PythonStylePickleFile();
        var pickle = writer.Dumps(root);
        using var stream = File.Create(path);
        var zip = new ZipWriter(stream, "archive");
        zip.WriteRecord("data.pkl", pickle);
        zip.WriteRecord("byteorder", "little"u8);
        foreach (var (key, bytes) in writer.storages) zip.WriteRecord("data/" + key, bytes);
        zip.WriteRecord("version", "3\n"u8);
        zip.Finish();
    }

    protected override bool TrySaveSpecial(object value, int depth)
    {
        switch (value)
        {
            case PickleObject module when module.State is PickleDict state && state.ContainsKey("_modules"):
                SaveGlobal(module.Module, module.Name);
                Op(EMPTY_TUPLE);
                Op(NEWOBJ);
                Memoize();
                Save(state, depth + 1);
                Op(BUILD);
                return true;
            case Tensor t:
                SaveTensor(t, depth);
                return true;
            default:
                return false;
        }
    }

    void SaveTensor(Tensor t, int depth)
    {
        using var c = t.detach().contiguous();
        var (storage, bytes) = c.dtype switch
        {
            ScalarType.Float32 => ("FloatStorage", MemoryMarshal.AsBytes<float>(c.data<float>()).ToArray()),
            ScalarType.Int64 => ("LongStorage", MemoryMarshal.AsBytes<long>(c.data<long>()).ToArray()),
            _ => throw new NotSupportedException($"test pickle: dtype {c.dtype}"),
        };
        var key = storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        storages.Add((key, bytes));
        var shape = c.shape;
        var strides = new long[shape.Length];
        for (int i = shape.Length - 1, s = 1; i >= 0; s *= (int)shape[i], i--) strides[i] = s;

        SaveGlobal("torch._utils", "_rebuild_tensor_v2");
        Op(MARK);
        SaveTuple(new object?[] { "storage", new PickleGlobal("torch", storage), key, "cpu", c.numel() }, depth + 1);
        Op(BINPERSID);
        SaveInt(0);
        SaveTuple(shape.Cast<object?>().ToArray(), depth + 1);
        SaveTuple(strides.Cast<object?>().ToArray(), depth + 1);
        Op(NEWFALSE);
        Save(new PickleDict(ordered: true), depth + 1);
        Op(TUPLE);
        Op(REDUCE);
        Memoize();
    }
}
