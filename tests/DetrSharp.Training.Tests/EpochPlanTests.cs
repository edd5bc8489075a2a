using System.Text.Json.Nodes;
using DetrSharp.Detection.Families;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>
/// ultralytics' time mode through the time limit of a per-epoch (YOLO) run: after each epoch the run plans the epochs
/// that fit in the limit, its lr decays over the plan to lrf and close_mosaic counts back from the plan's end; a run
/// stopped in the middle and resumed with its checkpoint's plan and training time equals the straight run. The run's
/// clock is simulated (1.5 s a step), so nothing depends on the machine's speed.
/// </summary>
[Collection(SerialTraining.Name)]
public class EpochPlanTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    public EpochPlanTests(TinyData data) => _data = data;

    [Fact]
    public void TheEstimateIsUltralyticsCeilOfTheLimitOverTheMeanEpochTime()
    {
        Assert.Equal(60, EpochPlan.Estimate(1, 0.25, 15));     // 15 s an epoch: 900 / 15
        Assert.Equal(46, EpochPlan.Estimate(10, 3.3, 15));     // ceil(45.45)
        Assert.Equal(5, EpochPlan.Estimate(1, 0.1, 0.5));      // exactly 5, not 6 by rounding
        Assert.Equal(3, EpochPlan.Estimate(3, 16, 15));        // past the limit: the epochs done, and the run stops
        Assert.True(EpochPlan.FitsTime(RunConfig.ForModel("yolov10").Schedule));
        Assert.False(EpochPlan.FitsTime(RunConfig.ForModel("detr").Schedule));   // DETR's per-step schedule follows the time itself
        Assert.False(EpochPlan.FitsTime(TinyData.With(RunConfig.ForModel("yolov10"), ("schedule.time_limit_minutes", 0)).Schedule));
    }

    [Fact]
    public void CloseMosaicCountsBackFromThePlannedEndAndStaysClosed()
    {
        var cfg = TinyData.With(RunConfig.ForModel("yolov10"), ("data.path", _data.Root), ("data.img_size", 64), ("schedule.epochs", 5), ("data.close_mosaic", 2));
        var data = TrainingData.Open(_data.Root, cfg);
        var transform = RunTransforms.Train(cfg, data.Train, data.Plan);
        Assert.Same(transform(0), transform(2));                 // 5 epochs, close_mosaic 2: mosaic in epochs 0–2
        Assert.Null(data.Plan!.LastPartFrom);
        Assert.NotSame(transform(2), transform(3));              // off from epoch 3
        Assert.Equal(3, data.Plan.LastPartFrom);
        // the plan grows (the machine got faster): mosaic stays closed from epoch 3, as ultralytics closes it once
        data.Plan.Epochs = 9;
        Assert.Same(transform(3), transform(4));
        Assert.Same(transform(0), transform(2));
    }

    static RunConfig Config(string root)
    {
        var tiny = TinyData.Config(root);
        // YOLOv8 with its recipe and augmentation at 64 px, 4 batches an epoch, a one-epoch warm-up; schedule.epochs 2 is
        // only the first plan: 0.5 minutes at 1.5 s a step (6 s an epoch) fit 5 epochs
        return TinyData.With(tiny.With([("model.name", "yolov8")]) with { Runtime = tiny.Runtime },
            ("data.path", root), ("data.batch_size", 4), ("data.img_size", 64), ("data.close_mosaic", 2),
            ("schedule.epochs", 2), ("schedule.time_limit_minutes", 0.5), ("schedule.warmup_steps", 0), ("schedule.warmup_epochs", 1),
            ("schedule.checkpoint_minutes", 0), ("optim.nominal_batch_size", 8), ("eval.every", 0));
    }

    (IDetector, TrainingData) Fresh(RunConfig c)
    {
        torch.manual_seed(c.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, c);
        return (DetectorFactory.Build(c, data.ClassNames.Count), data);
    }

    // the simulated clock: 1.5 s for every step this trainer has taken since its Run began
    static Trainer Timed(IDetector det, TrainingData data, RunConfig cfg, string dir)
    {
        var trainer = new Trainer(det, data, cfg, dir);
        long first = -1;
        trainer.Clock = () =>
        {
            if (first < 0) first = trainer.Progress.Step;
            return TimeSpan.FromSeconds(1.5 * (trainer.Progress.Step - first));
        };
        return trainer;
    }

    static Dictionary<string, float[]> Values(IReadOnlyDictionary<string, Tensor> sd)
    {
        using var scope = torch.NewDisposeScope();
        return sd.ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Float32).data<float>());
    }

    [Fact]
    public void ATimeLimitedRunPlansItsEpochsEndsItsDecayAndResumesExactly()
    {
        var cfg = Config(_data.Root);
        var dirA = Path.Combine(_data.Root, "planA");
        var dirB = Path.Combine(_data.Root, "planB");
        var (detA, dataA) = Fresh(cfg);
        Dictionary<string, float[]> straight;
        double lr0;
        using (detA)
        using (var trainer = Timed(detA, dataA, cfg, dirA))
        {
            Assert.Equal(4, dataA.TrainLoader.BatchesPerEpoch);
            lr0 = trainer.Optimizer.Lr;
            trainer.Run();
            // re-planned from 2 to 5 epochs after the first, and stopped by the time limit at the plan's end
            Assert.Equal(5, trainer.PlannedEpochs);
            Assert.Equal(5, dataA.Plan!.Epochs);
            Assert.Equal(20, trainer.Progress.Step);
            straight = Values(detA.Module.state_dict());
        }
        var rows = File.ReadAllLines(Path.Combine(dirA, "log.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var plan = Assert.Single(rows, r => (string?)r["type"] == "plan");
        Assert.Equal((4L, 1L, 5L, 6.0), ((long)plan["step"]!, (long)plan["epoch"]!, (long)plan["epochs"]!, (double)plan["epoch_seconds"]!));
        // the lr each step leaves for the next: lf(1) of 5 epochs once re-planned, lf(5) = lrf at the end (as lr0 × lf)
        var lr = rows.Where(r => (string?)r["type"] == "train").ToDictionary(r => (long)r["step"]!, r => (double)r["lr"]!);
        Assert.Equal(lr0 * (0.8 * 0.99 + 0.01), lr[5], 9);
        Assert.Equal(lr0 * (0.2 * 0.99 + 0.01), lr[16], 9);
        Assert.Equal(lr0 * 0.01, lr[20], 9);

        // stopped in the middle of epoch 3 (a batch waiting for its optimizer step), resumed in a scrambled process
        var (detB, dataB) = Fresh(cfg);
        using (detB)
        using (var trainer = Timed(detB, dataB, cfg, dirB))
        {
            Assert.Null(trainer.Run(stopAfterStep: 9));
            using var ckpt = Checkpoint.Load(trainer.CheckpointPath);
            Assert.Equal(5L, ckpt.Root["planned_epochs"]);
            Assert.Equal(13.5, (double)ckpt.Root["train_seconds"]!, 9);
            Assert.Equal(0L, ckpt.Root["close_mosaic_from"]);   // planned 2 epochs at the first, close_mosaic 2: closed from epoch 0 on
        }
        torch.manual_seed(12345);
        var (detC, _) = Fresh(TinyData.With(cfg, ("runtime.seed", 999)));
        using (detC)
        using (var trainer = Timed(detC, dataB, cfg, dirB))
        {
            trainer.Resume();
            Assert.Equal(5, trainer.PlannedEpochs);
            trainer.Run();
            Assert.Equal(20, trainer.Progress.Step);
            var resumed = Values(detC.Module.state_dict());
            foreach (var (k, v) in straight)
                for (int i = 0; i < v.Length; i++)
                    Assert.True(Math.Abs(v[i] - resumed[k][i]) <= 1e-5 * (1 + Math.Abs(v[i])), $"{k}[{i}]: {v[i]} vs {resumed[k][i]} after resume");
        }
    }
}
