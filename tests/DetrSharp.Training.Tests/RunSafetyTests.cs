using System.Diagnostics;
using System.Text.Json.Nodes;
using DetrSharp.Detection.Families;
using DetrSharp.Torch;
using DetrSharp.Training;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>
/// Runs that never lose work: an interrupt checkpoints and stops without the final evaluation, checkpoints come
/// every M minutes, orphaned temporary files go, --restart's earlier run is removed only after the new first
/// checkpoint, and divergence is named with the last good checkpoint kept.
/// </summary>
[Collection(SerialTraining.Name)]
public class RunSafetyTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    public RunSafetyTests(TinyData data) => _data = data;

    sealed class Recorder(Action<long>? onStep = null) : ITrainingObserver
    {
        public readonly List<long> Checkpoints = new();
        public void StepDone(long step, long totalSteps, int epoch, IReadOnlyDictionary<string, double> losses, double lr, double stepSeconds) => onStep?.Invoke(step);
        public void CheckpointSaved(TrainingProgress progress, string path) => Checkpoints.Add(progress.Step);
    }

    (IDetector detector, TrainingData data) Fresh(RunConfig cfg)
    {
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, cfg);
        return (DetectorFactory.Build(cfg, data.ClassNames.Count), data);
    }

    string RunDir(string name)
    {
        var dir = Path.Combine(_data.Root, name + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    static List<JsonObject> LogRows(string dir)
        => File.ReadAllLines(Path.Combine(dir, "log.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    [Fact]
    public void AnInterruptFinishesTheStepCheckpointsAndStopsWithoutEvaluating()
    {
        var cfg = TinyData.With(TinyData.Config(_data.Root), ("schedule.epochs", 3));
        var dir = RunDir("interrupt");
        File.WriteAllText(Path.Combine(dir, "eval.json"), "{\"AP\": 0.99}"); // from some earlier run
        using var cancel = new CancellationTokenSource();
        var (det, data) = Fresh(cfg);
        using (det)
        using (var trainer = new Trainer(det, data, cfg, dir, new Recorder(step => { if (step == 2) cancel.Cancel(); })))
        {
            var e = Assert.Throws<TrainingInterruptedException>(() => trainer.Run(cancel.Token));
            Assert.Equal(2, e.Step);
            Assert.Contains("resume", e.Message);
            Assert.Equal(2, trainer.Progress.Step);
        }
        using (var ck = Checkpoint.Load(Path.Combine(dir, Checkpoint.FileName))) Assert.Equal(2, ck.Progress.Step);
        Assert.False(File.Exists(Path.Combine(dir, "eval.json")));
        Assert.DoesNotContain(LogRows(dir), r => (string?)r["type"] == "eval");
    }

    [Fact]
    public void CheckpointsComeEveryCheckpointMinutesAndOrphansAreRemoved()
    {
        var cfg = TinyData.With(TinyData.Config(_data.Root), ("schedule.max_steps", 3), ("schedule.epochs", 5), ("schedule.checkpoint_minutes", 1e-9));
        var dir = RunDir("minutes");
        var orphan = Path.Combine(dir, $".checkpoint.pth.{Environment.ProcessId + 1}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(orphan, "half a checkpoint from a killed run");
        var recorder = new Recorder();
        var (det, data) = Fresh(cfg);
        using (det)
        using (var trainer = new Trainer(det, data, cfg, dir, recorder))
            Assert.Null(trainer.Run(stopAfterStep: 2));
        Assert.False(File.Exists(orphan));
        Assert.Equal(new long[] { 1, 2, 2 }, recorder.Checkpoints);
    }

    [Fact]
    public void TheEarlierRunIsRemovedOnlyAfterTheNewRunsFirstCheckpoint()
    {
        var cfg = TinyData.With(TinyData.Config(_data.Root), ("schedule.max_steps", 2), ("schedule.epochs", 5));
        var dir = RunDir("restart");
        File.WriteAllText(Path.Combine(dir, Checkpoint.FileName), "the earlier run's checkpoint");
        var folder = new RunFolder(dir);
        Assert.True(folder.MoveAside());
        bool keptUntilFirstCheckpoint = false;
        var recorder = new Recorder(step => { if (step == 1) keptUntilFirstCheckpoint = File.Exists(Path.Combine(folder.PreviousPath, Checkpoint.FileName)); });
        var (det, data) = Fresh(cfg);
        using (det)
        using (var trainer = new Trainer(det, data, cfg, dir, recorder))
            Assert.Null(trainer.Run(stopAfterStep: 1));
        Assert.True(keptUntilFirstCheckpoint);
        Assert.False(Directory.Exists(folder.PreviousPath));
        using var ck = Checkpoint.Load(folder.CheckpointPath);
        Assert.Equal(1, ck.Progress.Step);
    }

    [Fact]
    public void NonFiniteWeightsStopTheStepNamingItInsteadOfAMatcherError()
    {
        var cfg = TinyData.Config(_data.Root);
        var (det, data) = Fresh(cfg);
        using (det)
        {
            using var optimizer = TrainingOptimizer.Create(det, cfg.Optim);
            var step = new TrainingStep(det, optimizer, cfg.Optim.ClipMaxNorm);
            var (name, weight) = det.Module.named_parameters().First(p => p.name.StartsWith("bbox_embed."));
            using (torch.no_grad()) weight.fill_(double.NaN);
            var before = det.Module.named_parameters().First(p => p.name.StartsWith("class_embed.")).parameter.to(ScalarType.Float32).data<float>().ToArray();
            using var batch = data.TrainLoader.Epoch(0).First();
            var e = Assert.Throws<NonFiniteTrainingException>(() => step.Run(batch, 7));
            Assert.Equal(7, e.Step);
            Assert.Contains("step 7", e.Message);
            Assert.Contains(name, e.Message);
            Assert.Contains("last good checkpoint", e.Message);
            // the optimizer did not step
            var after = det.Module.named_parameters().First(p => p.name.StartsWith("class_embed.")).parameter.to(ScalarType.Float32).data<float>();
            Assert.Equal(before, after);
        }
    }

    sealed class MessageLog : ITrainingObserver
    {
        public readonly List<string> Lines = new();
        public void Message(string text) => Lines.Add(text);
    }

    [Fact]
    public void ADivergedRunKeepsItsLastGoodCheckpointAndSaysWhere()
    {
        var cfg = TinyData.With(TinyData.Config(_data.Root), ("schedule.max_steps", 4));
        var dir = RunDir("diverged");
        var messages = new MessageLog();
        var (det, data) = Fresh(cfg);
        using (det)
        using (var trainer = new Trainer(det, data, cfg, dir, messages))
        {
            Assert.Null(trainer.Run(stopAfterStep: 1));
            var before = File.ReadAllBytes(trainer.CheckpointPath);
            using (torch.no_grad()) det.Module.named_parameters().First(p => p.name.StartsWith("bbox_embed.")).parameter.fill_(double.NaN);
            var e = Assert.Throws<NonFiniteTrainingException>(() => trainer.Run());
            Assert.Equal(2, e.Step);
            Assert.Equal(before, File.ReadAllBytes(trainer.CheckpointPath));
            Assert.Contains(messages.Lines, m => m.Contains($"the last good checkpoint is {trainer.CheckpointPath} (step 1)"));
        }
        Assert.Contains(LogRows(dir), r => (string?)r["type"] == "diverged" && (long)r["step"]! == 2);
    }

    [Fact]
    public void EvalOfACheckpointWithNonFiniteWeightsSaysSo()
    {
        var cfg = TinyData.With(TinyData.Config(_data.Root), ("schedule.max_steps", 1));
        var dir = RunDir("nan-eval");
        var (det, data) = Fresh(cfg);
        using (det)
        using (var trainer = new Trainer(det, data, cfg, dir))
            Assert.Null(trainer.Run(stopAfterStep: 1));
        var path = Path.Combine(dir, Checkpoint.FileName);
        // the weights a diverged run would have saved
        using (var ck = Checkpoint.Load(path))
        {
            ck.Model.First(kv => kv.Key.StartsWith("class_embed.")).Value.fill_(double.PositiveInfinity);
            torch.save(ck.Root, path);
        }
        var e = Assert.Throws<InvalidDataException>(() => TrainedDetector.Load(path));
        Assert.Contains("NaN or infinite", e.Message);
        Assert.Contains("class_embed.", e.Message);
    }

    [Fact]
    public void SigtermCancelsTheTokenInsteadOfKillingTheProcess()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        var messages = new List<string>();
        using var signals = new InterruptSignals(messages.Add);
        using var kill = Process.Start("kill", $"-TERM {Environment.ProcessId}");
        kill.WaitForExit();
        Assert.True(signals.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(10)), "SIGTERM did not cancel the token");
        Assert.Equal("SIGTERM", signals.Reason);
        Assert.Equal(143, signals.ExitCode);
        Assert.Contains(messages, m => m.Contains("checkpoint"));
    }

    // a copy of the tiny dataset with one training and one validation image overwritten by garbage
    (string root, string badTrain, string badVal) DamagedCopy()
    {
        var root = RunDir("damaged");
        foreach (var sub in new[] { "annotations", "train", "val" })
        {
            Directory.CreateDirectory(Path.Combine(root, sub));
            foreach (var f in Directory.EnumerateFiles(Path.Combine(_data.Root, sub))) File.Copy(f, Path.Combine(root, sub, Path.GetFileName(f)));
        }
        var badTrain = Directory.EnumerateFiles(Path.Combine(root, "train")).Order().First();
        var badVal = Directory.EnumerateFiles(Path.Combine(root, "val")).Order().First();
        File.WriteAllText(badTrain, "not an image");
        File.WriteAllText(badVal, "not an image either");
        return (root, badTrain, badVal);
    }

    [Fact]
    public void ValidationImagesAreCheckedBeforeTraining()
    {
        var (root, badTrain, badVal) = DamagedCopy();
        File.Copy(Path.Combine(_data.Root, "train", Path.GetFileName(badTrain)), badTrain, overwrite: true);
        var e = Assert.Throws<DetrSharp.Data.Imaging.ImageDecodeException>(() => TrainingData.Open(root, TinyData.Config(root)));
        Assert.Contains(badVal, e.Message);
    }

    [Fact]
    public void TheImagePixelLimitIsADataSetting()
    {
        // the tiny set's images are 96x96 = 9216 pixels
        var cfg = TinyData.With(TinyData.Config(_data.Root), ("data.max_image_pixels", 9215));
        var e = Assert.Throws<DetrSharp.Data.Imaging.ImageDecodeException>(() => TrainingData.Open(_data.Root, cfg));
        Assert.Contains("96x96", e.Message);
        Assert.Contains("9,215", e.Message);
        TrainingData.Open(_data.Root, TinyData.With(cfg, ("data.max_image_pixels", 9216)));
    }

    [Fact]
    public void SkippedSamplesAreReportedEverywhereAndTooManyStopTheRun()
    {
        var (root, badTrain, badVal) = DamagedCopy();
        var cfg = TinyData.With(TinyData.Config(root), ("data.skip_bad_samples", true), ("data.max_skipped_fraction", 0.5), ("schedule.max_steps", 4), ("schedule.epochs", 1));
        var dir = RunDir("skipped");
        var data = TrainingData.Open(root, cfg);
        var det = DetectorFactory.Build(cfg, data.ClassNames.Count);
        using (det)
        using (var trainer = new Trainer(det, data, cfg, dir))
            Assert.NotNull(trainer.Run());
        var lines = File.ReadAllLines(Path.Combine(dir, "skipped.txt"));
        Assert.Contains(lines, l => l.StartsWith("train\t") && l.Contains(badTrain));
        Assert.Contains(lines, l => l.StartsWith("val\t") && l.Contains(badVal) && l.Contains("ground-truth boxes, counted as missed"));
        Assert.Equal(2, LogRows(dir).Count(r => (string?)r["type"] == "skipped"));

        var strict = TinyData.With(cfg, ("data.max_skipped_fraction", 0.01));
        var dir2 = RunDir("too-many");
        var data2 = TrainingData.Open(root, strict);
        var det2 = DetectorFactory.Build(strict, data2.ClassNames.Count);
        using (det2)
        using (var trainer = new Trainer(det2, data2, strict, dir2))
        {
            var e = Assert.Throws<InvalidDataException>(() => trainer.Run());
            Assert.Contains("1 of 16 training images", e.Message);
            Assert.Contains("data.max_skipped_fraction", e.Message);
        }
    }
}
