using System.Net;
using System.Net.Sockets;
using DetrSharp.Torch;
using DetrSharp.Training.Distributed;
using Xunit;

namespace DetrSharp.Training.Tests.Distributed;

/// <summary>
/// The gradient averaging of two ranks (threads of this process, Gloo over loopback) on hand-made parameters whose
/// gradients are known: buckets start from the gradient hooks during backward, in the same order on every rank; only
/// the backward that ends an accumulation cycle reduces; a parameter unused on a rank counts as zero there.
/// </summary>
public class GradientAveragerTests
{
    sealed record RankResult(float[][] LocalAfterFirst, float[][] Averaged, int LaunchedDuringBackward, long Reductions, int Buckets);


    // parameters d, a, b, c (registration order; buckets launch c, b, a, d): d is used by no rank, b by rank 0 only
    static RankResult Rank(int rank, int port)
    {
        using var ctx = DistributedContext.Join(new DistributedSettings(rank, 2, rank, "127.0.0.1", port), TimeSpan.FromSeconds(30));
        using var scope = torch.NewDisposeScope();
        var d = torch.ones(new long[] { 1 }, requires_grad: true);
        var a = torch.ones(new long[] { 3 }, requires_grad: true);
        var b = torch.ones(new long[] { 2 }, requires_grad: true);
        var c = torch.ones(new long[] { 4 }, requires_grad: true);
        Tensor[] ps = [d, a, b, c];
        using var averager = new GradientAverager(ctx.Group, ps, bucketBytes: 1); // one parameter per bucket
        void Backward()
        {
            var loss = (a * (rank + 1)).sum() + (c * c * (rank + 1)).sum(); // grads: a = r + 1, c = 2 (r + 1)
            if (rank == 0) loss = loss + (b * 3).sum();                      // b = 3 on rank 0 only
            loss.backward();
        }
        averager.BeforeBackward(endsCycle: false); // the first batch of an accumulation cycle of 2: nothing reduced
        Backward();
        var local = ps.Select(p => p.grad is { } g ? g.data<float>() : []).ToArray();
        averager.BeforeBackward(endsCycle: true);
        Backward();
        averager.AfterBackward();
        return new RankResult(local, ps.Select(p => p.grad!.data<float>()).ToArray(), averager.LastTimes.BucketsLaunchedDuringBackward,
            averager.Reductions, averager.BucketCount);
    }

    [Fact]
    public void BucketsReduceDuringTheBackwardThatEndsTheCycle()
    {
        int port = Loopback.FreePort();
        var ranks = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() => Rank(r, port), TaskCreationOptions.LongRunning)).ToArray();
        Assert.True(Task.WaitAll(ranks, TimeSpan.FromMinutes(1)), "the two ranks did not finish");
        var (r0, r1) = (ranks[0].Result, ranks[1].Result);

        // after the first backward each rank still holds its own gradients
        Assert.Equal([1f, 1f, 1f], r0.LocalAfterFirst[1]);
        Assert.Equal([2f, 2f, 2f], r1.LocalAfterFirst[1]);
        Assert.Empty(r1.LocalAfterFirst[2]); // b: no gradient on rank 1
        foreach (var r in new[] { r0, r1 })
        {
            Assert.Equal(4, r.Buckets);
            Assert.Equal(1, r.Reductions); // once per cycle, not once per backward
            // the mean over ranks of two batches' sums: a (2 + 4) / 2, b (6 + 0) / 2, c (4 + 8) / 2, d unused: 0
            Assert.Equal([0f], r.Averaged[0]);
            Assert.Equal([3f, 3f, 3f], r.Averaged[1]);
            Assert.Equal([3f, 3f], r.Averaged[2]);
            Assert.Equal([6f, 6f, 6f, 6f], r.Averaged[3]);
        }
        // hooks launched c, b, a on rank 0 before backward ended; on rank 1 b (unused there) held back b and a until after it
        Assert.Equal(3, r0.LaunchedDuringBackward);
        Assert.Equal(1, r1.LaunchedDuringBackward);
    }
}
