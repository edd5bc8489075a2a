using DetrSharp.Torch.Modules;
using DetrSharp.Torch.Native;

namespace DetrSharp.Torch.Distributed;

/// <summary>
/// torch.nn.SyncBatchNorm: BatchNorm2d whose training statistics are those of the global batch (every rank's), so a
/// data-parallel run with trainable BatchNorm normalises as one process with the whole batch does. Here a BatchNorm2d
/// becomes synchronised by being given a process group (<see cref="Convert"/>); it stays the same module (same
/// parameters, buffers and checkpoint names) and normalises locally in eval mode or without a group.
/// </summary>
public static class SyncBatchNorm
{
    /// <summary>Gives every BatchNorm2d of <paramref name="module"/> the group (null: back to local statistics); returns how many.</summary>
    public static int Convert(nn.Module module, ProcessGroup? group)
    {
        int n = 0;
        foreach (var m in module.modules())
            if (m is BatchNorm2d bn)
            {
                bn.sync_group = group;
                n++;
            }
        return n;
    }

    /// <summary>Whether the module has a BatchNorm2d with trainable affine parameters (the ones whose statistics matter to sync).</summary>
    public static bool HasTrainableBatchNorm(nn.Module module)
        => module.modules().OfType<BatchNorm2d>().Any(bn => bn.weight is { requires_grad: true } || bn.bias is { requires_grad: true });

    /// <summary>
    /// Time this thread spent in SyncBatchNorm's all-reduces since the last call (each blocks its forward or backward:
    /// communication that overlaps nothing); resets the count.
    /// </summary>
    public static TimeSpan TakeCommunicationTime() => TimeSpan.FromMilliseconds(Math.Max(0, NativeMethods.dsh_dist_sync_batch_norm_take_wait_ms()));

    /// <summary>Training-mode batch normalisation with the statistics of every rank's batch (a collective: same calls, same order, on every rank).</summary>
    /// <param name="input">[N, C, *]</param>
    /// <param name="momentum">the new batch's weight in the running statistics (updated in place)</param>
    /// <returns>[N, C, *]</returns>
    public static Tensor Apply(ProcessGroup group, Tensor input, Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar,
        double momentum, double eps)
    {
        var h = NativeMethods.dsh_dist_sync_batch_norm(group.Handle, input.Handle, weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero,
            runningMean?.Handle ?? IntPtr.Zero, runningVar?.Handle ?? IntPtr.Zero, momentum, eps);
        if (h == IntPtr.Zero) throw new DistributedException($"rank {group.Rank}: SyncBatchNorm failed: {TorchException.Last().Message}");
        return Tensor.Wrap(h);
    }
}
