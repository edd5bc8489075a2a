using DetrSharp.Training.Distributed;
using Xunit;

namespace DetrSharp.Training.Tests.Distributed;

/// <summary>Messages of different lengths, an empty one included (a rank without detections), reach every rank whole.</summary>
public sealed class ByteGatherTests
{
    [Fact]
    public void EveryRankGetsEveryMessageAtItsOwnLength()
    {
        int port = Loopback.FreePort();
        byte[][] sent = [[], [1, 2, 3, 4, 5], [255]];
        var ranks = Enumerable.Range(0, 3).Select(r => Task.Factory.StartNew(() =>
        {
            using var ctx = DistributedContext.Join(new DistributedSettings(r, 3, r, "127.0.0.1", port), TimeSpan.FromSeconds(30));
            return ByteGather.AllGather(ctx.Group, sent[r]);
        }, TaskCreationOptions.LongRunning)).ToArray();
        Assert.True(Task.WaitAll(ranks, TimeSpan.FromMinutes(1)), "the three ranks did not finish");
        foreach (var t in ranks)
        {
            Assert.Equal(3, t.Result.Length);
            for (int r = 0; r < 3; r++) Assert.Equal(sent[r], t.Result[r]);
        }
    }
}
