using System.Text.Json.Nodes;
using DetrSharp.Detection.Configuration;
using DetrSharp.Training;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>Run-folder rules that need no training: resume settings, --restart's move aside, log truncation, skipped samples.</summary>
public class RunManagementTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "detrsharp-runs-" + Guid.NewGuid().ToString("N")[..8]);

    public RunManagementTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    static RunConfig Saved => TinyData.Config("/data/coco");

    [Fact]
    public void ResumingWithAChangedFixedSettingNamesItWithBothValues()
    {
        var requested = TinyData.With(Saved, ("optim.lr", 1e-3), ("data.batch_size", 2), ("data.path", "/data/other"), ("model.num_queries", 16));
        var e = Assert.Throws<ConfigException>(() => ResumeRules.Merge(Saved, requested, "run/checkpoint.pth"));
        Assert.Contains("optim.lr is 0.0003 in the run but 0.001 now", e.Message);
        Assert.Contains("data.batch_size is 4 in the run but 2 now", e.Message);
        Assert.Contains("data.path is \"/data/coco\" in the run but \"/data/other\" now", e.Message);
        Assert.Contains("model.num_queries is 8 in the run but 16 now", e.Message);
        Assert.Contains("--restart", e.Message);
        Assert.Contains("--out", e.Message);
    }

    [Theory]
    [InlineData("schedule.warmup_steps", 50)]
    [InlineData("schedule.lr_schedule", "step")]
    [InlineData("runtime.seed", 1)]
    [InlineData("optim.ema", 0.99)]
    public void EveryOtherSettingIsFixed(string key, object value)
    {
        var e = Assert.Throws<ConfigException>(() => ResumeRules.Merge(Saved, TinyData.With(Saved, (key, value)), "ck"));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void SettingsThatMayChangeOnResumeApply()
    {
        var requested = TinyData.With(Saved, ("schedule.time_limit_minutes", 2.5), ("schedule.max_steps", 99), ("schedule.epochs", 7),
            ("eval.every", 3), ("runtime.log_every", 5), ("runtime.workers", 1), ("runtime.threads", 1), ("schedule.checkpoint_minutes", 1.0));
        var merged = ResumeRules.Merge(Saved, requested, "ck");
        Assert.Equal(2.5, merged.Schedule.TimeLimitMinutes);
        Assert.Equal(99, merged.Schedule.MaxSteps);
        Assert.Equal(7, merged.Schedule.Epochs);
        Assert.Equal(3, merged.Eval.Every);
        Assert.Equal(5, merged.Runtime.LogEvery);
        Assert.Equal(1, merged.Runtime.Workers);
        Assert.Equal(1, merged.Runtime.Threads);
        Assert.Equal(Saved.Optim, merged.Optim);
        Assert.Equal(Saved.Model, merged.Model);
    }

    [Fact]
    public void NamingTheRunsOwnFamilyOnResumeChangesNothing()
    {
        var requested = Saved.With([("model.name", "\"detr\"")]);
        Assert.Equal(8, ((DetrSharp.Detection.Detr.DetrConfig)requested.Model).NumQueries);
        Assert.Same(requested, ResumeRules.Merge(Saved, requested, "ck"));
    }

    void Touch(string name, string text = "x") => File.WriteAllText(Path.Combine(_dir, name), text);

    [Fact]
    public void RestartMovesTheOldRunAsideUntilTheNewOneHasACheckpoint()
    {
        Touch("checkpoint.pth", "old weights");
        Touch("log.jsonl", "{\"step\":1}\n");
        Touch("eval.json", "{}");
        Touch("config.json", "{}");
        var folder = new RunFolder(_dir);
        Assert.True(folder.MoveAside());
        foreach (var f in new[] { "checkpoint.pth", "log.jsonl", "eval.json", "config.json" })
        {
            Assert.False(File.Exists(Path.Combine(_dir, f)), $"{f} is still in the run folder");
            Assert.True(File.Exists(Path.Combine(folder.PreviousPath, f)), $"{f} was not kept");
        }
        Assert.Equal("old weights", File.ReadAllText(Path.Combine(folder.PreviousPath, "checkpoint.pth")));

        // the new run failed before its first checkpoint, leaving a log and a config; a second --restart keeps the old run
        Touch("log.jsonl");
        Touch("config.json");
        Assert.False(folder.MoveAside());
        Assert.Equal("old weights", File.ReadAllText(Path.Combine(folder.PreviousPath, "checkpoint.pth")));
        Assert.False(File.Exists(Path.Combine(_dir, "log.jsonl")));

        folder.DiscardPrevious();
        Assert.False(Directory.Exists(folder.PreviousPath));
    }

    [Fact]
    public void AStaleEvalJsonDoesNotSurviveARestart()
    {
        Touch("eval.json", "{\"AP\": 0.9}");
        new RunFolder(_dir).MoveAside();
        Assert.False(File.Exists(Path.Combine(_dir, "eval.json")));
    }

    [Fact]
    public void AMoveAsideKilledHalfWayIsFinishedNextTime()
    {
        var folder = new RunFolder(_dir);
        Directory.CreateDirectory(folder.PreviousPath + ".new");
        File.WriteAllText(Path.Combine(folder.PreviousPath + ".new", "checkpoint.pth"), "old weights");
        Directory.CreateDirectory(folder.PreviousPath);
        File.WriteAllText(Path.Combine(folder.PreviousPath, "checkpoint.pth"), "older weights");
        Touch("log.jsonl");
        folder.MoveAside();
        Assert.Equal("old weights", File.ReadAllText(Path.Combine(folder.PreviousPath, "checkpoint.pth")));
        Assert.False(Directory.Exists(folder.PreviousPath + ".new"));
    }

    [Fact]
    public void TruncatingTheLogDropsRowsAfterTheCheckpointAndACutLastLine()
    {
        var path = Path.Combine(_dir, "log.jsonl");
        var lines = Enumerable.Range(1, 8).Select(s => new JsonObject { ["type"] = "train", ["step"] = s }.ToJsonString()).ToList();
        lines.Insert(4, new JsonObject { ["type"] = "eval", ["step"] = 4 }.ToJsonString());
        File.WriteAllText(path, string.Join("\n", lines) + "\n{\"type\":\"train\",\"st");
        Assert.Equal(4, RunLog.TruncateAfter(path, 5));
        var steps = File.ReadAllLines(path).Select(l => (long)JsonNode.Parse(l)!["step"]!).ToList();
        Assert.Equal(new long[] { 1, 2, 3, 4, 4, 5 }, steps);
        using (var log = new RunLog(_dir, resumeStep: 3)) log.Write("train", new JsonObject { ["step"] = 4 });
        Assert.Equal(new long[] { 1, 2, 3, 4 }, File.ReadAllLines(path).Select(l => (long)JsonNode.Parse(l)!["step"]!));
    }

    sealed class Messages : ITrainingObserver
    {
        public readonly List<string> Lines = new();
        public void Message(string text) => Lines.Add(text);
    }

    [Fact]
    public void SkippedSamplesAreReportedOnceEachAndTooManyStopTheRun()
    {
        var observer = new Messages();
        var skipped = new SkippedSamples(_dir, trainImages: 10, maxFraction: 0.25, observer);
        using (var log = new RunLog(_dir, 0))
        {
            skipped.Add("train", ["a.jpg: corrupt", "b.jpg: missing"], 3, log);
            skipped.Add("train", ["a.jpg: corrupt"], 4, log);
            skipped.Add("val", ["v.png: corrupt"], 4, log);
            Assert.Equal(2, skipped.TrainCount);
            var e = Assert.Throws<InvalidDataException>(() => skipped.Add("train", ["c.jpg: x", "d.jpg: y"], 5, log));
            Assert.Contains("4 of 10 training images", e.Message);
            Assert.Contains("data.max_skipped_fraction", e.Message);
        }
        var file = File.ReadAllLines(Path.Combine(_dir, "skipped.txt"));
        Assert.Equal(["train\ta.jpg: corrupt", "train\tb.jpg: missing", "val\tv.png: corrupt", "train\tc.jpg: x", "train\td.jpg: y"], file);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(_dir, "log.jsonl")).Count(l => l.Contains("\"skipped\"")));
        Assert.Equal(5, observer.Lines.Count(l => l.StartsWith("skipped a ")));
    }

    [Fact]
    public void AResumedRunContinuesTheSkippedList()
    {
        var first = new SkippedSamples(_dir, trainImages: 100, maxFraction: 0.5, SilentObserver.Instance);
        first.Add("train", ["a.jpg: corrupt"], 1, null);
        var observer = new Messages();
        var resumed = new SkippedSamples(_dir, trainImages: 100, maxFraction: 0.5, observer).Resume();
        resumed.Add("train", ["a.jpg: corrupt", "b.jpg: corrupt"], 2, null);
        Assert.Equal(2, resumed.TrainCount);
        Assert.Equal(["train\ta.jpg: corrupt", "train\tb.jpg: corrupt"], File.ReadAllLines(Path.Combine(_dir, "skipped.txt")));
        Assert.Single(observer.Lines);
    }

    [Fact]
    public void EverySampleSkippedStopsEvenWithTheFractionAtOne()
    {
        var skipped = new SkippedSamples(_dir, trainImages: 2, maxFraction: 1, SilentObserver.Instance);
        skipped.Add("train", ["a: bad"], 1, null);
        Assert.Throws<InvalidDataException>(() => skipped.Add("train", ["b: bad"], 1, null));
    }

    [Fact]
    public void CheckpointMinutesIsAScheduleKeyDefaultingToTen()
    {
        Assert.Equal(10, new RunConfig().Schedule.CheckpointMinutes);
        var e = Assert.Throws<ConfigException>(() => TinyData.With(Saved, ("schedule.checkpoint_minutes", -1)));
        Assert.Contains("schedule.checkpoint_minutes", e.Message);
    }
}
