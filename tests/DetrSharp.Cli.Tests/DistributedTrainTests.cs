using System.Text.Json.Nodes;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// `train --nproc 2`: two worker processes (this build's detrsharp.dll) with torchrun's variables, c10d Gloo on
/// loopback. Rank 0 alone writes the run folder; a worker that dies ends the job with a message naming its rank.
/// </summary>
[Collection(TinyRunCollection.Name)]
public class DistributedTrainTests(TinyRun tiny)
{
    [Fact]
    public void TwoWorkersTrainAndRankZeroWritesTheRun()
    {
        var dir = tiny.NewDir("ddp");
        var r = CliRun.Run(tiny.TrainArgs(dir, 2, "--nproc", "2", "--set", "runtime.dist_timeout_seconds=30"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("starting 2 workers", r.Err);
        Assert.True(File.Exists(Path.Combine(dir, "checkpoint.pth")), "no checkpoint");
        var eval = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "eval.json")))!;
        Assert.NotNull(eval["AP"]);
        var steps = File.ReadAllLines(Path.Combine(dir, "log.jsonl")).Select(l => JsonNode.Parse(l)!)
            .Where(o => (string?)o["type"] == "train").Select(o => (long)o["step"]!).ToList();
        Assert.Equal([1L, 2L], steps); // one writer: no step logged twice
    }

    [Fact]
    public void AKilledWorkerEndsTheJobNamingItsRank()
    {
        var dir = tiny.NewDir("ddp-kill");
        Environment.SetEnvironmentVariable("DETRSHARP_FAULT_KILL_RANK", "1");
        try
        {
            var r = CliRun.Run(tiny.TrainArgs(dir, 50, "--nproc", "2", "--set", "runtime.dist_timeout_seconds=20"));
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("worker rank 1", r.Err);
            Assert.Contains("killed by signal 9", r.Err);
            Assert.False(File.Exists(Path.Combine(dir, "eval.json")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DETRSHARP_FAULT_KILL_RANK", null);
        }
    }
}
