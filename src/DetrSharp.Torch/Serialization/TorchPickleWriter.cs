using System.Collections;
using static DetrSharp.Torch.Serialization.PickleOpcodes;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// The pickle writer with tensors, as torch.save writes them: each tensor is
/// <c>torch._utils._rebuild_tensor_v2((persistent id), offset, size, stride, requires_grad, OrderedDict())</c>
/// with the persistent id <c>('storage', torch.FloatStorage, key, 'cpu', numel)</c>. Tensors sharing a storage
/// share its key, so the storage is written once. Dictionaries of tensors become OrderedDicts (state dicts).
/// </summary>
internal sealed class TorchPickleWriter : PickleWriter, IDisposable
{
    /// <summary>A storage to write as <c>data/Key</c>: <see cref="ByteLength"/> bytes at <see cref="Pointer"/>.</summary>
    public sealed record StorageEntry(string Key, ScalarType DType, IntPtr Pointer, long ByteLength, Tensor Owner);

    readonly Dictionary<IntPtr, StorageEntry> byPointer = new();
    readonly List<StorageEntry> storages = new();
    readonly List<Tensor> owned = new();

    /// <summary>The storages the pickle refers to, in key order.</summary>
    public IReadOnlyList<StorageEntry> Storages => storages;

    protected override bool IsStateDictLike(IDictionary dictionary)
    {
        if (dictionary.Count == 0) return false;
        foreach (DictionaryEntry e in dictionary)
            if (e.Value is not Tensor) return false;
        return true;
    }

    protected override bool TrySaveSpecial(object value, int depth)
    {
        if (value is not Tensor t) return false;
        var source = t;
        if (t.device.type != DeviceType.CPU)
        {
            // Another device: a contiguous CPU copy becomes its own storage.
            var cpu = t.to(Device.CPU);
            source = cpu.contiguous();
            cpu.Dispose();
            source.DetachFromDisposeScope();
            owned.Add(source);
        }
        var dtype = source.dtype;
        long elementSize = dtype.ElementSize();
        long nbytes = source.untyped_storage_nbytes();
        IntPtr basePtr = source.untyped_storage_ptr();
        StorageEntry entry;
        if (nbytes > 0 && basePtr != IntPtr.Zero && byPointer.TryGetValue(basePtr, out var shared))
        {
            if (shared.DType != dtype)
                throw new ArgumentException($"cannot save tensors that view the same storage as different types ({shared.DType.Name()} and {dtype.Name()})");
            entry = shared;
        }
        else
        {
            entry = new StorageEntry(storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), dtype, basePtr, nbytes, source);
            storages.Add(entry);
            if (nbytes > 0 && basePtr != IntPtr.Zero) byPointer[basePtr] = entry;
        }

        SaveGlobal("torch._utils", "_rebuild_tensor_v2");
        Op(MARK);
        Op(MARK);
        SaveString("storage");
        SaveGlobal("torch", StorageTypes.ClassName(dtype));
        SaveString(entry.Key);
        SaveString("cpu");
        SaveInt(entry.ByteLength / elementSize);
        Op(TUPLE);
        Op(BINPERSID);
        SaveInt(source.storage_offset());
        SaveTuple(source.shape.Select(x => (object?)x).ToArray(), depth);
        SaveTuple(source.stride().Select(x => (object?)x).ToArray(), depth);
        Op(t.requires_grad ? NEWTRUE : NEWFALSE);
        SaveGlobal("collections", "OrderedDict");
        Op(EMPTY_TUPLE);
        Op(REDUCE);
        Op(TUPLE);
        Op(REDUCE);
        return true;
    }

    public void Dispose()
    {
        foreach (var t in owned) t.Dispose();
        owned.Clear();
    }
}
