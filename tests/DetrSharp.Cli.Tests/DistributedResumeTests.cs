using System.Text.Json.Nodes;
using DetrSharp.Training;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// Resume in a distributed run: `train --nproc 2` stopped after 2 steps and started again with the same command (and
/// more steps) continues from rank 0's checkpoint, logs every step once, and ends with the weights of a 2-process run
/// that went straight through, to float32 rounding (1e-5 relative, as a one-process resume): data order, schedule,
/// optimizer and every rank's own random state (dropout) continue.
/// </summary>
[Collection(TinyRunCollection.Name)]
public class DistributedResumeTests(TinyRun tiny)
{
    string[] Args(string dir, int steps) => tiny.TrainArgs(dir, steps, "--nproc", "2", "--set", "runtime.dist_timeout_seconds=30");

    [Fact]
    public void AStoppedTwoProcessRunResumesWhereItStopped()
    {
        var straight = tiny.NewDir("ddp-straight");
        var r = CliRun.Run(Args(straight, 4));
        Assert.True(r.ExitCode == 0, r.ToString());

        var resumed = tiny.NewDir("ddp-resumed");
        r = CliRun.Run(Args(resumed, 2));
        Assert.True(r.ExitCode == 0, r.ToString());
        r = CliRun.Run(Args(resumed, 4));
        Assert.True(r.ExitCode == 0, r.ToString());

        var log = File.ReadAllLines(Path.Combine(resumed, "log.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal([1L, 2L, 3L, 4L], log.Where(o => (string?)o["type"] == "train").Select(o => (long)o["step"]!));
        Assert.Equal([0L, 2L], log.Where(o => (string?)o["type"] == "run").Select(o => (long)o["step"]!)); // started, then resumed at step 2
        Assert.True(File.Exists(Path.Combine(resumed, "eval.json")), "no eval.json after the resumed run");

        using var a = Checkpoint.Load(Path.Combine(straight, Checkpoint.FileName));
        using var b = Checkpoint.Load(Path.Combine(resumed, Checkpoint.FileName));
        Assert.Equal(4, b.Progress.Step);
        var (wa, wb) = (a.Model, b.Model);
        Assert.Equal(wa.Keys.Order(), wb.Keys.Order());
        foreach (var (k, t) in wa)
        {
            if (!t.is_floating_point()) continue;
            var (x, y) = (t.data<float>(), wb[k].data<float>());
            for (int i = 0; i < x.Length; i++)
                Assert.True(Math.Abs(x[i] - y[i]) <= 1e-5 * (1 + Math.Abs(x[i])), $"{k}[{i}]: {x[i]} straight vs {y[i]} resumed");
        }
    }
}
