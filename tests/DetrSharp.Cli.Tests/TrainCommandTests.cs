using System.Text.Json.Nodes;
using DetrSharp.Training;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>`detrsharp train`: flag values checked in the project's words, --restart that loses nothing, resume rules.</summary>
[Collection(TinyRunCollection.Name)]
public class TrainCommandTests(TinyRun tiny)
{
    [Theory]
    [InlineData("--lr", "NaN", "optim.lr must be in (0, 1); got NaN")]
    [InlineData("--lr", "-1", "optim.lr must be in (0, 1); got -1")]
    [InlineData("--lr-backbone", "Infinity", "optim.lr_backbone must be in [0, 1)")]
    [InlineData("--max-steps", "-5", "schedule.max_steps must be >= 0 (0 = no limit); got -5")]
    [InlineData("--time-limit", "-2", "schedule.time_limit_minutes must be a finite number >= 0")]
    [InlineData("--time-limit", "NaN", "schedule.time_limit_minutes must be a finite number >= 0")]
    [InlineData("--threads", "100000", "runtime.threads must be in [0, ")]
    public void BadFlagValuesAreErrorsInTheProjectsWords(string flag, string value, string expected)
    {
        var r = CliRun.Run("train", flag, value, "--print-config");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.Err);
        Assert.DoesNotContain("Parameter", r.Err);
        Assert.DoesNotContain(".NET", r.Err);
        Assert.DoesNotContain("System.", r.Err);
    }

    [Theory]
    [InlineData("train", "--lr", "abc", "--lr expects a number, got 'abc'")]
    [InlineData("train", "--max-steps", "1.5", "--max-steps expects a whole number, got '1.5'")]
    [InlineData("predict", "--threshold", "high", "--threshold expects a number, got 'high'")]
    public void UnparsableFlagValuesAreNamedWithoutDotNetTypes(string command, string flag, string value, string expected)
    {
        var r = CliRun.Run(command == "predict" ? [command, "x.png", flag, value] : [command, flag, value]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.Err);
        Assert.DoesNotContain("System.", r.Err);
        Assert.Contains($"detrsharp {command} --help", r.Err);
    }

    [Fact]
    public void RestartKeepsTheOldRunUntilTheNewOneHasItsOwnCheckpoint()
    {
        var dir = tiny.NewDir("restart");
        Assert.Equal(0, CliRun.Run(tiny.TrainArgs(dir, 2)).ExitCode);
        var ckpt = Path.Combine(dir, "checkpoint.pth");
        var old = File.ReadAllBytes(ckpt);
        Assert.True(File.Exists(Path.Combine(dir, "eval.json")));

        // a new run that fails before its first checkpoint (its init_from is not a checkpoint)
        var bad = Path.Combine(dir, "..", "not-a-checkpoint.pth");
        File.WriteAllText(bad, "garbage");
        var failed = CliRun.Run(tiny.TrainArgs(dir, 2, "model.init_from=" + System.Text.Json.JsonSerializer.Serialize(bad), "--restart"));
        Assert.Equal(1, failed.ExitCode);
        var kept = Path.Combine(dir, RunFolder.PreviousName, "checkpoint.pth");
        Assert.True(File.Exists(kept), "the old checkpoint was lost: " + failed);
        Assert.Equal(old, File.ReadAllBytes(kept));
        Assert.False(File.Exists(Path.Combine(dir, "eval.json")), "a stale eval.json survived the restart");

        var ok = CliRun.Run(tiny.TrainArgs(dir, 1, "--restart"));
        Assert.Equal(0, ok.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(dir, RunFolder.PreviousName)));
        using var ck = Checkpoint.Load(ckpt);
        Assert.Equal(1, ck.Progress.Step);
    }

    [Fact]
    public void ResumingWithAFixedSettingChangedIsAnErrorAndAMutableOneIsRecorded()
    {
        var dir = tiny.NewDir("resume");
        Assert.Equal(0, CliRun.Run(tiny.TrainArgs(dir, 1)).ExitCode);
        var before = File.ReadAllBytes(Path.Combine(dir, "checkpoint.pth"));

        var lr = CliRun.Run([.. tiny.TrainArgs(dir, 2, "data.batch_size=2"), "--lr", "0.001"]);
        Assert.Equal(1, lr.ExitCode);
        Assert.Contains("optim.lr is 0.0002 in the run but 0.001 now", lr.Err);
        Assert.Contains("data.batch_size is 4 in the run but 2 now", lr.Err);
        Assert.Contains("--restart", lr.Err);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "checkpoint.pth")));

        var more = CliRun.Run(tiny.TrainArgs(dir, 3, "runtime.log_every=2"));
        Assert.True(more.ExitCode == 0, more.ToString());
        Assert.Contains("resumed", more.Out);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.Equal(3, (long)config["schedule"]!["max_steps"]!);
        Assert.Equal(2, (long)config["runtime"]!["log_every"]!);
        using var ck = Checkpoint.Load(Path.Combine(dir, "checkpoint.pth"));
        Assert.Equal(3, ck.Progress.Step);
        Assert.Equal(3, ck.Config.Schedule.MaxSteps);
    }

    [Fact]
    public void EpochsAreCountedFromOneInTheConsoleAndTheLog()
    {
        // 16 images, batch 4: 4 steps per epoch; 5 steps end in epoch 2 of 2
        var dir = tiny.NewDir("epochs");
        var r = CliRun.Run(tiny.TrainArgs(dir, 5));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("epoch 1/2 step 1/5 ", r.Out);
        Assert.Contains("epoch 1/2 step 4/5 ", r.Out);
        Assert.Contains("epoch 2/2 step 5/5 ", r.Out);
        Assert.Contains("epoch 2: AP", r.Out);
        var rows = File.ReadAllLines(Path.Combine(dir, "log.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal([1L, 1, 1, 1, 2], rows.Where(o => (string?)o["type"] == "train").Select(o => (long)o["epoch"]!));
        Assert.Equal(2, (long)rows.Single(o => (string?)o["type"] == "eval")["epoch"]!);
    }

    [Fact]
    public void SynthsDefaultSeedIsTrains()
    {
        var a = tiny.NewDir("synth-default");
        var b = tiny.NewDir("synth-42");
        var c = tiny.NewDir("synth-0");
        string[] Args(string dir, params string[] more) => ["synth", "--out", dir, "--train", "2", "--val", "1", "--size", "32", .. more];
        Assert.Equal(0, CliRun.Run(Args(a)).ExitCode);
        Assert.Equal(0, CliRun.Run(Args(b, "--seed", new RunConfig().Runtime.Seed.ToString())).ExitCode);
        Assert.Equal(0, CliRun.Run(Args(c, "--seed", "0")).ExitCode);
        byte[] Image(string dir) => File.ReadAllBytes(Directory.EnumerateFiles(dir, "*.png", SearchOption.AllDirectories).Order().First());
        Assert.Equal(Image(b), Image(a));
        Assert.NotEqual(Image(c), Image(a));
    }

    [Fact]
    public void TheProgressTextLeavesRoomForTheBarIn80Columns()
    {
        // description + bar (20) + percentage (4) + remaining time (8) + spinner (1) + 4 separators
        var text = Commands.ConsoleObserver.ProgressText(1_234_567, 9_999_999, 1234.5678);
        Assert.True(text.Length + 20 + 4 + 8 + 1 + 4 <= 80, text);
        Assert.Contains("avg loss", text);
    }

    [Theory]
    // a time-limited run far from its step count: the bar (and the ETA extrapolated from it) follows the clock
    [InlineData(100, 1_000_000, 2.5, 10.0, 0.25)]
    [InlineData(100, 1_000_000, 12.0, 10.0, 1.0)]
    // steps ahead of the clock, or no time limit: the steps decide
    [InlineData(900, 1_000, 1.0, 10.0, 0.9)]
    [InlineData(250, 1_000, 60.0, 0.0, 0.25)]
    public void TheBarsShareAndEtaRespectTheTimeLimit(long step, long total, double minutes, double limit, double expected)
    {
        double share = Commands.ConsoleObserver.RunFraction(step, total, TimeSpan.FromMinutes(minutes), limit);
        Assert.Equal(expected, share, 1e-12);
        if (limit > 0 && share is > 0 and < 1 && share * limit > step * limit / total)
        {
            // the remaining time a linear extrapolation of the share gives is what is left of the limit
            double eta = minutes / share * (1 - share);
            Assert.Equal(limit - minutes, eta, 1e-9);
        }
    }
}

/// <summary>Console error lines carry no .NET parameter names.</summary>
public class UserMessageTests
{
    [Fact]
    public void ParameterNamesAreLeftOut()
    {
        Assert.Equal("bad thing", CliApp.UserMessage(new ArgumentException("bad thing", "x")));
        Assert.Equal("outer: inner problem here", CliApp.UserMessage(new InvalidOperationException("outer: inner problem (Parameter 'cost') here")));
        Assert.Equal("two lines", CliApp.UserMessage(new Exception("two\nlines")));
    }
}
