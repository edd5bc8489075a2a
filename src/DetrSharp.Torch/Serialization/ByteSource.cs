using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// Positional, thread-safe reads from a file or a memory buffer: the one way the checkpoint readers
/// touch their input. Every read that runs past the end raises a <see cref="CheckpointFormatException"/>
/// naming the source as truncated.
/// </summary>
public abstract class ByteSource : IDisposable
{
    /// <summary>The name used in error messages (the file path).</summary>
    public string Name { get; }

    /// <summary>Length in bytes.</summary>
    public abstract long Length { get; }

    protected ByteSource(string name) => Name = name;

    /// <summary>Opens a file for reading; a missing file raises <see cref="FileNotFoundException"/> naming it.</summary>
    public static ByteSource OpenFile(string path)
    {
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"{path}: no such checkpoint file", path);
        return new FileByteSource(path);
    }

    /// <summary>A source over bytes already in memory.</summary>
    public static ByteSource FromMemory(ReadOnlyMemory<byte> bytes, string name) => new MemoryByteSource(bytes, name);

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>, or raises "truncated".</summary>
    public void Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset > Length || destination.Length > Length - offset)
            throw Truncated(offset, destination.Length);
        ReadCore(offset, destination);
    }

    /// <summary>Fills <paramref name="count"/> bytes of native memory from <paramref name="offset"/>.</summary>
    public unsafe void Read(long offset, byte* destination, long count)
    {
        if (offset < 0 || count < 0 || offset > Length || count > Length - offset)
            throw Truncated(offset, count);
        while (count > 0)
        {
            int chunk = (int)Math.Min(count, 1 << 30);
            ReadCore(offset, new Span<byte>(destination, chunk));
            destination += chunk;
            offset += chunk;
            count -= chunk;
        }
    }

    /// <summary>Reads <paramref name="count"/> bytes into a new array.</summary>
    public byte[] ReadArray(long offset, int count)
    {
        var a = GC.AllocateUninitializedArray<byte>(count);
        Read(offset, a);
        return a;
    }

    /// <summary>The error for a read of <paramref name="count"/> bytes at <paramref name="offset"/> past the end.</summary>
    public CheckpointFormatException Truncated(long offset, long count)
        => new(Name, $"file is truncated or corrupt: needs {count} bytes at offset {offset}, file has {Length}");

    protected abstract void ReadCore(long offset, Span<byte> destination);

    /// <summary>
    /// The whole source as one block of memory, when it can be had cheaply (a memory-mapped file, pinned
    /// bytes); null otherwise. Valid until the source is disposed.
    /// </summary>
    public virtual unsafe byte* Pointer => null;

    public virtual void Dispose() { }

    /// <remarks>
    /// Large reads go through a read-only memory mapping of the file, made on first use, so storage bytes are
    /// copied once from the page cache into tensor memory. As with any mapping (PyTorch's <c>mmap=True</c> too),
    /// another process truncating the file while it is being read would fault; files written by
    /// <see cref="CheckpointWriter"/> are replaced by rename, never truncated in place.
    /// </remarks>
    sealed unsafe class FileByteSource : ByteSource
    {
        readonly SafeFileHandle handle;
        readonly long length;
        readonly object mapLock = new();
        MemoryMappedFile? map;
        MemoryMappedViewAccessor? view;
        byte* mapped;
        bool mapFailed;

        public FileByteSource(string path) : base(path)
        {
            handle = System.IO.File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            length = RandomAccess.GetLength(handle);
        }

        public override long Length => length;

        protected override void ReadCore(long offset, Span<byte> destination)
        {
            while (destination.Length > 0)
            {
                int n = RandomAccess.Read(handle, destination, offset);
                if (n <= 0) throw Truncated(offset, destination.Length);
                destination = destination[n..];
                offset += n;
            }
        }

        public override byte* Pointer
        {
            get
            {
                if (mapped != null || mapFailed || length == 0) return mapped;
                lock (mapLock)
                {
                    if (mapped != null || mapFailed) return mapped;
                    try
                    {
                        map = MemoryMappedFile.CreateFromFile(handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
                        view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                        byte* p = null;
                        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
                        mapped = p + view.PointerOffset;
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
                    {
                        mapFailed = true;   // fall back to positional reads
                    }
                    return mapped;
                }
            }
        }

        public override void Dispose()
        {
            var (v, m, hadPointer) = (view, map, mapped != null);
            view = null;
            map = null;
            mapped = null;
            handle.Dispose();
            if (v == null) return;
            // Unmapping a large file tears down one page-table entry per page (milliseconds for a big
            // checkpoint): done off the caller's path, since nothing reads the mapping any more.
            void Release()
            {
                if (hadPointer) v.SafeMemoryMappedViewHandle.ReleasePointer();
                v.Dispose();
                m!.Dispose();
            }
            if (length >= 16 << 20) ThreadPool.UnsafeQueueUserWorkItem(_ => Release(), null);
            else Release();
        }
    }

    sealed unsafe class MemoryByteSource(ReadOnlyMemory<byte> bytes, string name) : ByteSource(name)
    {
        System.Buffers.MemoryHandle pin;
        bool pinned;

        public override long Length => bytes.Length;

        public override byte* Pointer
        {
            get
            {
                if (!pinned)
                {
                    pin = bytes.Pin();
                    pinned = true;
                }
                return (byte*)pin.Pointer;
            }
        }

        public override void Dispose()
        {
            if (pinned) pin.Dispose();
            pinned = false;
        }

        protected override void ReadCore(long offset, Span<byte> destination)
            => bytes.Span.Slice((int)offset, destination.Length).CopyTo(destination);
    }
}
