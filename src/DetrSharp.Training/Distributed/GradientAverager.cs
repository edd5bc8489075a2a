using DetrSharp.Torch;
using DetrSharp.Torch.Distributed;

namespace DetrSharp.Training.Distributed;

/// <summary>
/// Data-parallel gradient averaging, as torch's DistributedDataParallel does it, overlapping backward: the trainable
/// parameters are cut into buckets (the shim's <see cref="Reducer"/>: about <see cref="DefaultBucketBytes"/> each, the
/// first parameters in a small last one), and during backward a hook on each parameter's gradient accumulator starts a
/// bucket's all-reduce as soon as all its gradients exist; after backward only the buckets still in flight are awaited,
/// divided by the world size and copied back. With gradient accumulation only the backward that ends a cycle reduces
/// (DDP's no_sync for the others). A parameter without a gradient in that backward counts as zero (or as what it
/// accumulated earlier in the cycle), so every rank's buckets hold the same tensors; its gradient becomes the mean.
/// </summary>
public sealed class GradientAverager : IDisposable
{
    /// <summary>DDP's default bucket_cap_mb: 25 MiB.</summary>
    public const long DefaultBucketBytes = Reducer.DefaultBucketBytes;

    readonly Reducer _reducer;
    bool _synced;

    /// <param name="bucketBytes">bucket cap (the first bucket's is the smaller of it and 1 MiB)</param>
    public GradientAverager(ProcessGroup group, IReadOnlyList<Tensor> parameters, long bucketBytes = DefaultBucketBytes)
    {
        if (bucketBytes <= 0) throw new ArgumentOutOfRangeException(nameof(bucketBytes), "the bucket size must be positive");
        _reducer = new Reducer(group, parameters, bucketBytes, Math.Min(bucketBytes, Reducer.DefaultFirstBucketBytes));
    }

    /// <summary>Buckets, each one all-reduce per optimizer step.</summary>
    public int BucketCount => _reducer.BucketCount;

    /// <summary>Reductions so far (one per optimizer step, none for the other batches of an accumulation cycle).</summary>
    public long Reductions { get; private set; }

    /// <summary>What the last reduction cost; <see cref="ReduceTimes.NotOverlapped"/> is the part that blocked the step.</summary>
    public ReduceTimes LastTimes { get; private set; }

    /// <summary>Call just before backward; <paramref name="endsCycle"/>: the optimizer steps after this batch.</summary>
    public void BeforeBackward(bool endsCycle)
    {
        _reducer.Begin(endsCycle);
        _synced = endsCycle;
    }

    /// <summary>Call after a backward that ends the cycle: every gradient becomes its mean over the ranks.</summary>
    public void AfterBackward()
    {
        if (!_synced) throw new InvalidOperationException("the gradients were not armed for averaging before this backward (BeforeBackward(endsCycle: true))");
        _synced = false;
        LastTimes = _reducer.Finish();
        Reductions++;
    }

    /// <summary>After a backward that failed: disarms the hooks (waiting for whatever they started).</summary>
    public void Abandon()
    {
        _synced = false;
        _reducer.Begin(false);
    }

    public void Dispose() => _reducer.Dispose();
}
