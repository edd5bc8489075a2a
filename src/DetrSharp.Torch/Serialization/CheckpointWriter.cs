using DetrSharp.Torch.IO;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// Writes PyTorch's zip checkpoint format, readable by Python's <c>torch.load</c> (1.13 and newer, also with
/// <c>weights_only=True</c>): <c>archive/data.pkl</c> (protocol 2), <c>archive/byteorder</c> (<c>little</c>),
/// one STORED, 64-byte-aligned <c>archive/data/N</c> record per storage streamed straight from tensor memory,
/// and <c>archive/version</c> (<c>3</c>). The file is written under a temporary name in the same folder and
/// renamed over <c>path</c> at the end, so a crash never leaves a half-written checkpoint (it is not fsynced,
/// as torch.save does not).
/// </summary>
/// <remarks>
/// PyTorch 1.13's <c>weights_only=True</c> reader knows no float opcode (BINFLOAT), so it reads state dicts and
/// tensors but not a checkpoint holding Python floats (a learning rate) — the same as for Python's own
/// torch.save output; PyTorch 2.x reads both.
/// </remarks>
public static class CheckpointWriter
{
    /// <summary>The record folder torch.save uses.</summary>
    public const string ArchiveName = "archive";

    /// <summary>The format version torch.save writes.</summary>
    public const string FormatVersion = "3\n";

    /// <summary>Writes <paramref name="value"/> (a tensor, a state dict, a dict of state dicts and numbers ...) to <paramref name="path"/>.</summary>
    public static unsafe void Save(object? value, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{path}: folder '{dir}' does not exist");

        using var pickler = new TorchPickleWriter();
        var pickle = pickler.Dumps(value);
        var storages = pickler.Storages.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        // The CRCs are computed on another thread while this one writes the same bytes to the file.
        var crcs = storages.Select(_ => new TaskCompletionSource<uint>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        using var cancel = new CancellationTokenSource();
        var crcWorker = Task.Run(() => ComputeCrcs(storages, crcs, cancel.Token));
        try
        {
            AtomicFile.Write(full, stream =>
            {
                var zip = new ZipWriter(stream, ArchiveName);
                zip.WriteRecord("data.pkl", pickle);
                zip.WriteRecord("byteorder", "little"u8);
                for (int i = 0; i < storages.Count; i++)
                    zip.WriteRecord("data/" + storages[i].Key, (byte*)storages[i].Pointer, storages[i].ByteLength, crcs[i].Task);
                zip.WriteRecord("version", "3\n"u8);
                zip.Finish();
            }, flushToDisk: false);
        }
        finally
        {
            cancel.Cancel();
            crcWorker.GetAwaiter().GetResult();   // the worker reads tensor memory: never return before it stops
        }
    }

    static unsafe void ComputeCrcs(List<TorchPickleWriter.StorageEntry> storages, TaskCompletionSource<uint>[] results, CancellationToken cancel)
    {
        for (int i = 0; i < storages.Count; i++)
        {
            if (cancel.IsCancellationRequested)
            {
                results[i].TrySetCanceled();
                continue;
            }
            try
            {
                results[i].TrySetResult(Crc32.Append(0, (byte*)storages[i].Pointer, storages[i].ByteLength));
            }
            catch (Exception e)
            {
                results[i].TrySetException(e);
            }
        }
    }
}
