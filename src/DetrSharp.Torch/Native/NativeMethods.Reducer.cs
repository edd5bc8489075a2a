using System.Runtime.InteropServices;

namespace DetrSharp.Torch.Native;

// reducer.cpp: gradient buckets all-reduced from autograd hooks; sync_batchnorm.cpp: SyncBatchNorm's autograd function.
internal static unsafe partial class NativeMethods
{
    [DllImport(L, ExactSpelling = true)]
    internal static extern IntPtr dsh_dist_reducer_create(IntPtr group, IntPtr* parameters, int n, long bucketBytes, long firstBucketBytes);

    [DllImport(L, ExactSpelling = true)] internal static extern void dsh_dist_reducer_free(IntPtr reducer);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_dist_reducer_bucket_count(IntPtr reducer);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_dist_reducer_begin(IntPtr reducer, int sync);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_dist_reducer_finish(IntPtr reducer, double* stats);

    [DllImport(L, ExactSpelling = true)]
    internal static extern IntPtr dsh_dist_sync_batch_norm(IntPtr group, IntPtr input, IntPtr weight, IntPtr bias, IntPtr runningMean,
        IntPtr runningVar, double momentum, double eps);

    [DllImport(L, ExactSpelling = true)] internal static extern double dsh_dist_sync_batch_norm_take_wait_ms();
}
