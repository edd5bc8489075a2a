namespace DetrSharp.Torch.Serialization;

/// <summary>
/// The pickle reader with PyTorch's meaning added: persistent ids become <see cref="StorageRef"/>s (one per
/// key, so views share it) and the rebuild functions (<c>torch._utils._rebuild_tensor_v2</c>,
/// <c>_rebuild_tensor</c>, <c>_rebuild_tensor_v3</c>, <c>_rebuild_parameter</c>,
/// <c>_rebuild_parameter_with_state</c>, <c>torch._tensor._rebuild_from_type_v2</c>) become
/// <see cref="TensorRecord"/>s. No tensor memory is touched here.
/// </summary>
public sealed class TorchUnpickler : PickleReader
{
    readonly Dictionary<string, StorageRef> storages;

    /// <summary>Reads the pickle at <paramref name="offset"/>, adding the storages it names to <paramref name="storages"/>.</summary>
    public TorchUnpickler(ByteSource source, long offset, string part, Dictionary<string, StorageRef> storages)
        : base(source, offset, part) => this.storages = storages;

    protected override object? PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: > 0 } t)
            throw Error($"persistent id {PickleFormat.Repr(pid)} is not a tuple");
        if (t[0] is "module")
            return new PickleObject("torch.serialization", "module_source", t[1..]);
        if (t[0] is not "storage" || t.Length < 5)
            throw Error($"unknown persistent id {PickleFormat.Repr(pid, 8, 2)}");
        if (t[1] is not PickleGlobal cls || !StorageTypes.TryFromClass(cls, out var dtype))
            throw Error($"unknown storage type {PickleFormat.Repr(t[1])} in persistent id");
        if (t[2] is not string key) throw Error($"storage key is a {TypeName(t[2])}, not a str");
        string location = t[3] as string ?? "cpu";
        if (t[4] is not long numel || numel < 0 || numel > long.MaxValue / 16)
            throw Error($"storage '{key}' has a bad size {PickleFormat.Repr(t[4])}");

        if (storages.TryGetValue(key, out var known))
        {
            if (known.DType != dtype || known.NumElements != numel)
                throw Error($"storage '{key}' is named with two different types or sizes");
        }
        else
        {
            known = new StorageRef(key, dtype, location, numel);
            storages[key] = known;
        }

        // Legacy format: (..., view_metadata) with view_metadata = (view_key, offset, view_size) or None.
        if (t.Length >= 6 && t[5] is object?[] view)
        {
            if (view.Length < 3 || view[1] is not long off || view[2] is not long size || off < 0 || size < 0 || off + size > numel)
                throw Error($"storage '{key}' has a bad view {PickleFormat.Repr(view)}");
            return new StorageSlice(known, off, size);
        }
        return known;
    }

    protected override object? Reduce(object? callable, object?[] args)
    {
        if (callable is PickleGlobal g)
        {
            switch (g.FullName)
            {
                case "torch._utils._rebuild_tensor_v2":
                    // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                    if (args.Length < 4) throw Error($"_rebuild_tensor_v2 takes at least 4 arguments, got {args.Length}");
                    return Rebuild(args[0], args[1], args[2], args[3], null, args.Length > 4 && args[4] is true);
                case "torch._utils._rebuild_tensor":
                    if (args.Length < 4) throw Error($"_rebuild_tensor takes 4 arguments, got {args.Length}");
                    return Rebuild(args[0], args[1], args[2], args[3], null, false);
                case "torch._utils._rebuild_tensor_v3":
                    // (storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype[, metadata])
                    if (args.Length < 7) throw Error($"_rebuild_tensor_v3 takes at least 7 arguments, got {args.Length}");
                    if (args[6] is not PickleGlobal dt || !StorageTypes.TryFromDtype(dt, out var dtype))
                        throw Error($"_rebuild_tensor_v3 has an unknown dtype {PickleFormat.Repr(args[6])}");
                    return Rebuild(args[0], args[1], args[2], args[3], dtype, args[4] is true);
                case "torch._utils._rebuild_parameter":
                case "torch._utils._rebuild_parameter_with_state":
                {
                    // (data, requires_grad, backward_hooks[, state])
                    if (args.Length < 2) throw Error($"{g.Name} takes at least 2 arguments, got {args.Length}");
                    if (args[0] is not TensorRecord data) return new PickleObject(g.Module, g.Name, args);
                    return new TensorRecord
                    {
                        Storage = data.Storage,
                        StorageOffset = data.StorageOffset,
                        Shape = data.Shape,
                        Stride = data.Stride,
                        DType = data.DType,
                        RequiresGrad = args[1] is true,
                        IsParameter = true,
                        State = args.Length > 3 ? args[3] : null,
                    };
                }
                case "torch._tensor._rebuild_from_type_v2":
                    // (func, new_type, args, state): the tensor is func(*args)
                    if (args.Length >= 3 && args[2] is object?[] inner) return Reduce(args[0], inner);
                    break;
                case "torch.Size":
                    if (args.Length == 1 && args[0] is object?[] sizes) return sizes;
                    if (args.Length == 1 && args[0] is List<object?> sizeList) return sizeList.ToArray();
                    break;
            }
        }
        return base.Reduce(callable, args);
    }

    TensorRecord Rebuild(object? storage, object? offset, object? size, object? stride, ScalarType? dtype, bool requiresGrad)
    {
        StorageRef root;
        long baseOffset = 0;
        switch (storage)
        {
            case StorageRef s: root = s; break;
            case StorageSlice v: root = v.Root; baseOffset = v.Offset; break;
            default: throw Error($"tensor storage is a {TypeName(storage)}, not a storage persistent id");
        }
        if (offset is not long off || off < 0) throw Error($"tensor storage offset {PickleFormat.Repr(offset)} is not a non-negative int");
        var shape = Longs(size, "size");
        var strides = Longs(stride, "stride");
        if (shape.Length != strides.Length)
            throw Error($"tensor has {shape.Length} sizes but {strides.Length} strides");
        if (shape.Any(x => x < 0)) throw Error($"tensor has a negative size [{string.Join(", ", shape)}]");
        if (strides.Any(x => x < 0)) throw Error($"tensor has a negative stride [{string.Join(", ", strides)}]");
        var type = dtype ?? root.DType;
        if (baseOffset != 0)
        {
            if (type.ElementSize() != root.DType.ElementSize()) throw Error("a legacy storage view with a different dtype");
            off = checked(off + baseOffset);
        }
        return new TensorRecord
        {
            Storage = root,
            StorageOffset = off,
            Shape = shape,
            Stride = strides,
            DType = type,
            RequiresGrad = requiresGrad,
        };
    }

    long[] Longs(object? value, string what)
    {
        var items = value switch
        {
            object?[] t => t,
            List<object?> l => l.ToArray(),
            _ => throw Error($"tensor {what} is a {TypeName(value)}, not a tuple"),
        };
        var result = new long[items.Length];
        for (int i = 0; i < items.Length; i++)
            result[i] = items[i] is long v ? v : throw Error($"tensor {what} holds a {TypeName(items[i])}, not an int");
        return result;
    }
}
