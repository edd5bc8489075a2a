using DetrSharp.Torch.Native;

namespace DetrSharp.Torch.Distributed;

/// <summary>Where a Gloo process group binds its connections.</summary>
public enum GlooDeviceKind
{
    /// <summary>libtorch's default: this machine's hostname, else loopback.</summary>
    Default = 0,
    /// <summary>Bind to an address (127.0.0.1 for single-machine runs).</summary>
    Address = 1,
    /// <summary>Bind to a network interface (GLOO_SOCKET_IFNAME).</summary>
    Interface = 2,
}

/// <summary>
/// A c10d process group (torch.distributed's ProcessGroupGloo, CPU tensors) over a <see cref="TCPStore"/>. Its
/// collectives take a list of tensors and move it as ONE flattened bucket. Every collective is bounded by the
/// group's timeout: a rank that died or hangs makes the others throw <see cref="DistributedException"/>.
/// </summary>
public sealed unsafe class ProcessGroup : IDisposable
{
    IntPtr _handle;

    ProcessGroup(IntPtr handle, int rank, int size, TimeSpan timeout)
    {
        _handle = handle;
        Rank = rank;
        Size = size;
        Timeout = timeout;
    }

    /// <summary>Whether the native shim was built with c10d's Gloo backend.</summary>
    public static bool IsAvailable => NativeMethods.dsh_dist_available() == 1;

    internal static void CheckAvailable()
    {
        if (!IsAvailable)
            throw new DistributedException("distributed training is not available: the native shim was built without c10d's Gloo backend (install libgloo-dev and rebuild native/)");
    }

    /// <summary>Joins a Gloo group of <paramref name="size"/> ranks: blocks until every rank has joined (or the timeout passes).</summary>
    public static ProcessGroup Gloo(TCPStore store, int rank, int size, TimeSpan timeout, GlooDeviceKind device = GlooDeviceKind.Default, string? deviceName = null)
    {
        CheckAvailable();
        if (size < 1 || rank < 0 || rank >= size) throw new ArgumentOutOfRangeException(nameof(rank), $"the rank must be in [0, {size}); got {rank}");
        var h = NativeMethods.dsh_dist_gloo_create(store.Handle, rank, size, (long)timeout.TotalMilliseconds, (int)device, deviceName);
        if (h == IntPtr.Zero)
            throw new DistributedException($"rank {rank}: the {size} ranks did not all join the process group within {timeout.TotalSeconds:0} s: {TorchException.Last().Message}");
        return new ProcessGroup(h, rank, size, timeout);
    }

    public int Rank { get; }
    public int Size { get; }
    public TimeSpan Timeout { get; }

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(ProcessGroup));

    /// <summary>Starts a sum all-reduce of the tensors (one bucket); <see cref="AllReduceWork.Wait"/> writes result × scale back.</summary>
    public AllReduceWork AllReduceStart(IReadOnlyList<Tensor> tensors, double scale = 1.0)
    {
        var handles = Handles(tensors);
        IntPtr w;
        fixed (IntPtr* p = handles) w = NativeMethods.dsh_dist_allreduce_start(Handle, p, handles.Length, scale);
        if (w == IntPtr.Zero) throw Failed("all-reduce");
        return new AllReduceWork(w, this);
    }

    /// <summary>Sums the tensors over all ranks in place (one bucket), then multiplies by <paramref name="scale"/>.</summary>
    public void AllReduce(IReadOnlyList<Tensor> tensors, double scale = 1.0) => AllReduceStart(tensors, scale).Wait();

    /// <summary>Overwrites the tensors on every rank with <paramref name="root"/>'s values.</summary>
    public void Broadcast(IReadOnlyList<Tensor> tensors, int root = 0)
    {
        var handles = Handles(tensors);
        int rc;
        fixed (IntPtr* p = handles) rc = NativeMethods.dsh_dist_broadcast(Handle, p, handles.Length, root);
        if (rc < 0) throw Failed("broadcast");
    }

    /// <summary>Returns when every rank has reached it.</summary>
    public void Barrier()
    {
        if (NativeMethods.dsh_dist_barrier(Handle) < 0) throw Failed("barrier");
    }

    /// <summary>Every rank's <paramref name="t"/> (same shape everywhere), stacked: [world size, *t.shape].</summary>
    public Tensor AllGather(Tensor t)
    {
        var h = NativeMethods.dsh_dist_allgather(Handle, t.Handle, Size);
        if (h == IntPtr.Zero) throw Failed("all-gather");
        return Tensor.Wrap(h);
    }

    internal DistributedException Failed(string what)
        => new($"rank {Rank}: {what} failed: another rank exited or did not answer within {Timeout.TotalSeconds:0} s ({TorchException.Last().Message})");

    static IntPtr[] Handles(IReadOnlyList<Tensor> tensors)
    {
        if (tensors.Count == 0) throw new ArgumentException("the tensor list is empty", nameof(tensors));
        var handles = new IntPtr[tensors.Count];
        for (int i = 0; i < handles.Length; i++) handles[i] = tensors[i].Handle;
        return handles;
    }

    ~ProcessGroup() => Free();

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    void Free()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) NativeMethods.dsh_dist_group_free(h);
    }
}

/// <summary>An all-reduce in flight (<see cref="ProcessGroup.AllReduceStart"/>); <see cref="Wait"/> exactly once.</summary>
public sealed class AllReduceWork
{
    IntPtr _handle;
    readonly ProcessGroup _group;

    internal AllReduceWork(IntPtr handle, ProcessGroup group)
    {
        _handle = handle;
        _group = group;
    }

    /// <summary>Waits for it and writes the result into the tensors it was started with.</summary>
    public void Wait()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h == IntPtr.Zero) throw new InvalidOperationException("this all-reduce was already waited for");
        if (NativeMethods.dsh_dist_work_wait(h) < 0) throw _group.Failed("all-reduce");
    }
}
