using DetrSharp.Torch.Native;

namespace DetrSharp.Torch.Distributed;

/// <summary>What one reduction of a <see cref="Reducer"/> cost.</summary>
/// <param name="NotOverlapped">time in <see cref="Reducer.Finish"/>: waiting for all-reduces still running when backward
/// ended (plus launching the buckets it left and writing the means back): the communication backward did not hide</param>
/// <param name="Communication">from the first bucket's launch to the last one's completion</param>
/// <param name="BucketsLaunchedDuringBackward">buckets whose all-reduce started from a gradient hook, before backward ended</param>
public readonly record struct ReduceTimes(TimeSpan NotOverlapped, TimeSpan Communication, int BucketsLaunchedDuringBackward);

/// <summary>
/// The shim's data-parallel gradient reducer (native/src/reducer.cpp), as torch's DDP Reducer: parameters in buckets
/// (registration order, the first <c>firstBucketBytes</c>, then <c>bucketBytes</c> each, launched in reverse), a hook
/// on each parameter's gradient accumulator that starts a bucket's all-reduce as soon as backward has produced all its
/// gradients. Protocol per backward: <see cref="Begin"/> (sync: reduce this backward's gradients, else only
/// accumulate them), backward, then after a synced one <see cref="Finish"/>: the gradients become their mean over the
/// ranks. A parameter without a gradient in the synced backward contributes what it has accumulated, or zero.
/// </summary>
public sealed unsafe class Reducer : IDisposable
{
    /// <summary>DDP's bucket_cap_mb: 25 MiB.</summary>
    public const long DefaultBucketBytes = 25L << 20;

    /// <summary>DDP's first bucket (the last reduced, the one backward cannot hide): 1 MiB.</summary>
    public const long DefaultFirstBucketBytes = 1L << 20;

    IntPtr _handle;
    readonly ProcessGroup _group;

    /// <param name="parameters">leaves that require grad, in registration order; the same list on every rank</param>
    public Reducer(ProcessGroup group, IReadOnlyList<Tensor> parameters, long bucketBytes = DefaultBucketBytes, long firstBucketBytes = DefaultFirstBucketBytes)
    {
        ProcessGroup.CheckAvailable();
        if (parameters.Count == 0) throw new ArgumentException("no parameter requires grad: there is nothing to average", nameof(parameters));
        if (bucketBytes <= 0) throw new ArgumentOutOfRangeException(nameof(bucketBytes), bucketBytes, "the bucket size must be positive");
        if (firstBucketBytes <= 0) throw new ArgumentOutOfRangeException(nameof(firstBucketBytes), firstBucketBytes, "the first bucket's size must be positive");
        _group = group;
        var handles = new IntPtr[parameters.Count];
        for (int i = 0; i < handles.Length; i++) handles[i] = parameters[i].Handle;
        fixed (IntPtr* p = handles) _handle = NativeMethods.dsh_dist_reducer_create(group.Handle, p, handles.Length, bucketBytes, firstBucketBytes);
        if (_handle == IntPtr.Zero) throw new ArgumentException($"cannot reduce these parameters: {TorchException.Last().Message}", nameof(parameters));
        BucketCount = NativeMethods.dsh_dist_reducer_bucket_count(_handle);
    }

    /// <summary>All-reduces per synced backward.</summary>
    public int BucketCount { get; }

    IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Reducer));

    /// <summary>Call before each backward: <paramref name="sync"/> when it ends an accumulation cycle (its gradients are reduced).</summary>
    public void Begin(bool sync)
    {
        if (NativeMethods.dsh_dist_reducer_begin(Handle, sync ? 1 : 0) < 0) throw _group.Failed("gradient all-reduce");
    }

    /// <summary>After a synced backward: waits for the buckets and writes each gradient's mean over the ranks back.</summary>
    public ReduceTimes Finish()
    {
        var stats = stackalloc double[3];
        if (NativeMethods.dsh_dist_reducer_finish(Handle, stats) < 0) throw _group.Failed("gradient all-reduce");
        return new ReduceTimes(TimeSpan.FromMilliseconds(stats[0]), TimeSpan.FromMilliseconds(stats[1]), (int)stats[2]);
    }

    ~Reducer() => Free();

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    void Free()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) NativeMethods.dsh_dist_reducer_free(h);
    }
}
