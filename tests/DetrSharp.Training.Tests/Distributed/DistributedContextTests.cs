using System.Net;
using System.Net.Sockets;
using DetrSharp.Torch;
using DetrSharp.Torch.Distributed;
using DetrSharp.Training.Distributed;
using Xunit;

namespace DetrSharp.Training.Tests.Distributed;

/// <summary>Joining a run over loopback: with a store of rank 0's own or torchrun's agent store, and the errors of a bad rendezvous.</summary>
public class DistributedContextTests
{

    static double[][] JoinAndAverage(Func<int, DistributedSettings> settings, int world)
    {
        var ranks = Enumerable.Range(0, world).Select(r => Task.Factory.StartNew(() =>
        {
            using var ctx = DistributedContext.Join(settings(r), TimeSpan.FromSeconds(20));
            var mean = ctx.Average(r, 10 * r);
            ctx.MainDone("done"); // rank 0 sets it, the others wait for it
            return mean;
        }, TaskCreationOptions.LongRunning)).ToArray();
        Assert.True(Task.WaitAll(ranks, TimeSpan.FromMinutes(1)), "the ranks did not finish");
        return ranks.Select(t => t.Result).ToArray();
    }

    [Fact]
    public void RankZeroHostsTheStore()
    {
        int port = Loopback.FreePort();
        var means = JoinAndAverage(r => new DistributedSettings(r, 2, r, "127.0.0.1", port), 2);
        Assert.All(means, m => Assert.Equal([0.5, 5.0], m));
    }

    [Fact]
    public void UnderTorchrunsAgentStoreEveryRankIsAClient()
    {
        int port = Loopback.FreePort();
        // torchrun's agent: it listens on MASTER_PORT before the workers start
        using var agent = new TCPStore("127.0.0.1", port, 3, isMaster: true, TimeSpan.FromSeconds(20));
        var means = JoinAndAverage(r => new DistributedSettings(r, 2, r, "127.0.0.1", port, AgentStore: true, Attempt: 1), 2);
        Assert.All(means, m => Assert.Equal([0.5, 5.0], m));
        agent.Wait("/worker/attempt_1/done", TimeSpan.FromSeconds(5)); // the run's keys live under the attempt's prefix
    }

    [Fact]
    public void APortInUseIsAClearError()
    {
        var l = new TcpListener(IPAddress.Any, 0);
        l.Start();
        try
        {
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            var e = Assert.Throws<DistributedException>(() => DistributedContext.Join(new DistributedSettings(0, 2, 0, "127.0.0.1", port), TimeSpan.FromSeconds(5)));
            Assert.Contains($"cannot listen on 127.0.0.1:{port}", e.Message);
            Assert.Contains("already in use", e.Message);
        }
        finally
        {
            l.Stop();
        }
    }

    [Fact]
    public void AnUnreachableMasterIsAClearError()
    {
        int port = Loopback.FreePort();
        var e = Assert.Throws<DistributedException>(() => DistributedContext.Join(new DistributedSettings(1, 2, 1, "127.0.0.1", port), TimeSpan.FromSeconds(2)));
        Assert.Contains($"cannot reach the master at 127.0.0.1:{port} within 2 s", e.Message);
    }
}
