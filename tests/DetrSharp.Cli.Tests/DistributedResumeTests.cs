using System.Text.Json.Nodes;
using DetrSharp.Training;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// Resume in a distributed run: `train --nproc 2` stopped after 2 steps and started again with the same command (and
/// more steps) continues from rank 0's checkpoint, logs every step once, and ends with the weights of a 2-process run
/// that went straight through, to float32 rounding (1e-5 relative, as a one-process resume): data order, schedule,
/// optimizer and random state continue.
/// </summary>
[Collection(TinyRunCollection.Name)]
public class DistributedResumeTests(TinyRun tiny)
{
    // images resized to one of three scales, so that the ranks' batches differ in size (dropout 0.1 stays on).
    // lr 1e-3 without warm-up, so that 2 steps
    // move the weights far beyond the comparison's tolerance; DETR's step schedule (×0.1 at epoch 200), so that
    // stopping at 2 steps with --max-steps plans the same learning rates as going straight to 4
    string[] Args(string dir, int steps) => tiny.TrainArgs(dir, steps, "--nproc", "2", "--set", "runtime.dist_timeout_seconds=30", "data.train_scales=[64,80,96]",
        "optim.lr=0.001", "optim.lr_backbone=0.001", "schedule.warmup_steps=0", "schedule.lr_schedule=step");

    [Fact]
    public void AStoppedTwoProcessRunResumesWhereItStopped()
    {
        var straight = tiny.NewDir("ddp-straight");
        var r = CliRun.Run(Args(straight, 4));
        Assert.True(r.ExitCode == 0, r.ToString());

        var resumed = tiny.NewDir("ddp-resumed");
        r = CliRun.Run(Args(resumed, 2));
        Assert.True(r.ExitCode == 0, r.ToString());
        var atStep2 = Path.Combine(resumed, "step2.pth.keep");
        File.Copy(Path.Combine(resumed, Checkpoint.FileName), atStep2);
        r = CliRun.Run(Args(resumed, 4));
        Assert.True(r.ExitCode == 0, r.ToString());

        var log = File.ReadAllLines(Path.Combine(resumed, "log.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal([1L, 2L, 3L, 4L], log.Where(o => (string?)o["type"] == "train").Select(o => (long)o["step"]!));
        Assert.Equal([0L, 2L], log.Where(o => (string?)o["type"] == "run").Select(o => (long)o["step"]!)); // started, then resumed at step 2
        Assert.True(File.Exists(Path.Combine(resumed, "eval.json")), "no eval.json after the resumed run");

        using var a = Checkpoint.Load(Path.Combine(straight, Checkpoint.FileName));
        using var b = Checkpoint.Load(Path.Combine(resumed, Checkpoint.FileName));
        using var mid = Checkpoint.Load(atStep2);
        Assert.Equal(4, b.Progress.Step);
        var (wa, wb, wmid) = (a.Model, b.Model, mid.Model);
        Assert.Equal(wa.Keys.Order(), wb.Keys.Order());
        double moved = 0;
        foreach (var (k, t) in wa)
        {
            if (!t.is_floating_point()) continue;
            var (x, y, m) = (t.data<float>(), wb[k].data<float>(), wmid[k].data<float>());
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(Math.Abs(x[i] - y[i]) <= 1e-5 * (1 + Math.Abs(x[i])), $"{k}[{i}]: {x[i]} straight vs {y[i]} resumed");
                moved = Math.Max(moved, Math.Abs(y[i] - m[i]));
            }
        }
        Assert.True(moved > 1e-3, $"steps 3 and 4 moved no weight by more than {moved:g3}: the comparison would prove nothing");
    }
}
