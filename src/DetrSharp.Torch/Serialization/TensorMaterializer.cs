using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// Turns a parsed <see cref="CheckpointFile"/> into tensors: one libtorch tensor per storage, its bytes read
/// once straight from the file into tensor memory (storages in parallel), then every tensor as an
/// <c>as_strided</c> view of it — so views that shared a storage in Python share it here too.
/// Each view is checked against its storage first; a short storage raises naming the tensor's key.
/// </summary>
internal static class TensorMaterializer
{
    public static unsafe object? Materialize(CheckpointFile file, Device? mapLocation)
    {
        // 1. Every tensor record (and bare storage), named by the dotted key of its first appearance.
        var records = new List<(TensorRecord Record, string Key)>();
        var bare = new Dictionary<object, TensorRecord>(ReferenceEqualityComparer.Instance);
        var keys = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        var known = new HashSet<TensorRecord>(ReferenceEqualityComparer.Instance);
        object? root;
        try
        {
            foreach (var (key, value) in CheckpointTree.Leaves(file.Root, sharedOnce: true))
                if (value is TensorRecord or StorageRef or StorageSlice) keys.TryAdd(value, key.Length == 0 ? "<root>" : key);
            CheckpointTree.Rewrite(file.Root, leaf =>
            {
                var rec = leaf switch
                {
                    TensorRecord r => r,
                    StorageRef s => bare.TryGetValue(s, out var b) ? b : bare[s] = Whole(s, 0, s.NumElements),
                    StorageSlice v => bare.TryGetValue(v, out var b) ? b : bare[v] = Whole(v.Root, v.Offset, v.NumElements),
                    _ => null,
                };
                if (rec != null && known.Add(rec)) records.Add((rec, keys.GetValueOrDefault(leaf, "<nested value>")));
                return leaf;
            });
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(file.Name, e.Message);
        }

        // 2. Check each view against its storage, and each storage against the bytes the file holds.
        foreach (var (r, key) in records)
        {
            long capacity = r.Storage.ByteLength / r.DType.ElementSize();
            long needed = r.ElementsNeeded();
            if (needed > capacity || (needed == 0 && r.StorageOffset > capacity))
                throw new CheckpointFormatException(file.Name,
                    $"tensor '{key}' (shape [{string.Join(", ", r.Shape)}], stride [{string.Join(", ", r.Stride)}], offset {r.StorageOffset}) " +
                    $"needs {needed} {r.DType.Name()} elements but storage '{r.Storage.Key}' holds {capacity}");
        }
        var allocations = records.Select(x => (x.Record.Storage, x.Record.DType)).Distinct().ToList();
        foreach (var (s, _) in allocations)
        {
            long stored = file.StoredBytes(s);
            if (stored < s.ByteLength)
                throw new CheckpointFormatException(file.Name,
                    $"storage '{s.Key}' needs {s.ByteLength} bytes ({s.NumElements} × {s.DType.Name()}) but the file holds {stored}: truncated or corrupt");
        }

        // 3. One tensor per (storage, dtype), allocated on this thread (dispose scopes are per thread), filled in parallel.
        var storageTensors = new Dictionary<(StorageRef, ScalarType), Tensor>();
        var views = new Dictionary<TensorRecord, Tensor>(ReferenceEqualityComparer.Instance);
        try
        {
            var jobs = new List<(StorageRef Storage, IntPtr Pointer, long Bytes)>();
            foreach (var (s, dtype) in allocations)
            {
                long numel = s.ByteLength / dtype.ElementSize();
                var t = torch.empty(new[] { numel }, dtype);
                storageTensors[(s, dtype)] = t;
                long bytes = numel * dtype.ElementSize();
                if (bytes > 0)
                {
                    var pointer = t.data_ptr();
                    MemoryAdvice.HugePages(pointer, bytes);
                    jobs.Add((s, pointer, bytes));
                }
            }
            ReadAll(file, jobs);

            // 4. The views.
            foreach (var (r, _) in records)
            {
                var baseTensor = storageTensors[(r.Storage, r.DType)];
                var view = baseTensor.as_strided(r.Shape, r.Stride, r.StorageOffset);
                if (mapLocation is { } dev && dev.type != DeviceType.CPU)
                {
                    var moved = view.to(dev);
                    view.Dispose();
                    view = moved;
                }
                if (r.RequiresGrad) view.requires_grad = true;
                views[r] = view;
            }

            // 5. Tensors in place of the records.
            root = CheckpointTree.Rewrite(file.Root, leaf => leaf switch
            {
                TensorRecord r => views[r],
                StorageRef or StorageSlice => views[bare[leaf]],
                _ => leaf,
            });
        }
        catch
        {
            foreach (var v in views.Values) v.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in storageTensors.Values) t.Dispose();
        }
        return root;
    }

    static TensorRecord Whole(StorageRef s, long offset, long numel) => new()
    {
        Storage = s,
        StorageOffset = offset,
        Shape = new[] { numel },
        Stride = new[] { 1L },
        DType = s.DType,
    };

    static unsafe void ReadAll(CheckpointFile file, List<(StorageRef Storage, IntPtr Pointer, long Bytes)> jobs)
    {
        long total = jobs.Sum(j => j.Bytes);
        int width = Math.Clamp(Environment.ProcessorCount, 1, 8);
        if (jobs.Count < 2 || width == 1 || total < (8 << 20))
        {
            foreach (var (s, p, n) in jobs) file.ReadStorage(s, (byte*)p, n);
            return;
        }
        // Largest first, handed out one at a time, so the big storages spread over the workers.
        var ordered = jobs.OrderByDescending(j => j.Bytes).ToArray();
        try
        {
            Parallel.ForEach(Partitioner.Create(ordered, EnumerablePartitionerOptions.NoBuffering),
                new ParallelOptions { MaxDegreeOfParallelism = width },
                j => file.ReadStorage(j.Storage, (byte*)j.Pointer, j.Bytes));
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
