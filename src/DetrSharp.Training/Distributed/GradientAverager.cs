using System.Diagnostics;
using DetrSharp.Torch;
using DetrSharp.Torch.Distributed;

namespace DetrSharp.Training.Distributed;

/// <summary>
/// Data-parallel gradient averaging, as torch's DistributedDataParallel does it: the trainable parameters are cut
/// into buckets of about <see cref="DefaultBucketBytes"/> (in reverse order, the order backward finishes them), and
/// after backward each bucket's gradients are flattened, summed over ranks by one all-reduce, divided by the world
/// size and copied back. All buckets are put in flight before the first is awaited, so flattening and copying
/// overlap the transfers; the all-reduces do not overlap backward itself (no autograd hooks in this binding).
/// A parameter without a gradient on this rank gets a zero one, so every rank's buckets hold the same tensors.
/// </summary>
public sealed class GradientAverager
{
    /// <summary>DDP's default bucket_cap_mb: 25 MB.</summary>
    public const long DefaultBucketBytes = 25L << 20;

    readonly ProcessGroup _group;
    readonly List<Tensor[]> _buckets = new();

    public GradientAverager(ProcessGroup group, IReadOnlyList<Tensor> parameters, long bucketBytes = DefaultBucketBytes)
    {
        if (bucketBytes <= 0) throw new ArgumentOutOfRangeException(nameof(bucketBytes), "the bucket size must be positive");
        _group = group;
        foreach (var sameType in parameters.Reverse().GroupBy(p => (p.dtype, p.device.ToString())))
        {
            var bucket = new List<Tensor>();
            long bytes = 0;
            foreach (var p in sameType)
            {
                bucket.Add(p);
                bytes += p.numel() * p.element_size();
                if (bytes >= bucketBytes)
                {
                    _buckets.Add(bucket.ToArray());
                    bucket.Clear();
                    bytes = 0;
                }
            }
            if (bucket.Count > 0) _buckets.Add(bucket.ToArray());
        }
    }

    /// <summary>Buckets, each one all-reduce per step.</summary>
    public int BucketCount => _buckets.Count;

    /// <summary>Wall time of the last <see cref="Average"/> (all of it blocks the step: nothing else runs meanwhile).</summary>
    public TimeSpan LastDuration { get; private set; }

    /// <summary>Replaces every parameter's gradient by its mean over the ranks. Call after backward, inside the step's dispose scope.</summary>
    public void Average()
    {
        long t0 = Stopwatch.GetTimestamp();
        double scale = 1.0 / _group.Size;
        var works = new List<AllReduceWork>(_buckets.Count);
        try
        {
            foreach (var bucket in _buckets)
            {
                var grads = new Tensor[bucket.Length];
                for (int i = 0; i < bucket.Length; i++)
                {
                    var g = bucket[i].grad;
                    if (g is null)
                    {
                        bucket[i].grad = torch.zeros_like(bucket[i]);
                        g = bucket[i].grad!;
                    }
                    grads[i] = g; // [*param.shape], the parameter's own gradient storage
                }
                works.Add(_group.AllReduceStart(grads, scale));
            }
        }
        finally
        {
            // wait for everything started, even after an error, so no transfer writes into freed gradients
            Exception? first = null;
            foreach (var w in works)
            {
                try { w.Wait(); }
                catch (Exception e) { first ??= e; }
            }
            LastDuration = Stopwatch.GetElapsedTime(t0);
            if (first != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
    }
}
