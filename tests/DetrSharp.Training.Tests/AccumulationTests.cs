using DetrSharp.Detection.Families;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>
/// Gradient accumulation through the one training step, and exact resume of a YOLO run that stops between optimizer
/// steps with an EMA: the recipe's nominal batch.
/// </summary>
[Collection(SerialTraining.Name)]
public class AccumulationTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    public AccumulationTests(TinyData data) => _data = data;

    /// <summary>A linear model whose loss is a sum over the batch's images, as ultralytics' (mean × batch size) is to first order.</summary>
    sealed class SumOverImages : IDetector
    {
        readonly DetrSharp.Torch.Modules.Linear _linear = nn.Linear(12, 2);
        public string Family => "test";
        public nn.Module Module => _linear;
        public IReadOnlyDictionary<string, double> WeightDict { get; } = new Dictionary<string, double> { ["total"] = 1 };
        public IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch)
            => new Dictionary<string, Tensor> { ["total"] = (_linear.forward(batch.Images.flatten(1)) - 1).pow(2).sum() };   // [B, 12] -> [B, 2] -> []
        public IReadOnlyList<ImageDetections> Predict(DetectionBatch batch, float scoreThreshold = 0) => throw new NotSupportedException();
        public IReadOnlyList<ParameterGroup> ParameterGroups() =>
        [
            new ParameterGroup(ParameterRole.Bias, [("bias", _linear.bias!)]),
            new ParameterGroup(ParameterRole.Default, [("weight", _linear.weight)]),
        ];
        public void Dispose() => _linear.Dispose();
    }

    static DetectionBatch Batch(Tensor images) => new()
    {
        Samples = new NestedTensor(images, null),   // [B, 3, 2, 2]
        Targets = Enumerable.Range(0, (int)images.size(0)).Select(_ => new DetectionTarget(torch.zeros([0], ScalarType.Int64), torch.zeros([0, 4]))).ToList(),
    };

    static float[] Weights(IDetector d) => d.Module.parameters().SelectMany(p => p.detach().data<float>()).ToArray();

    /// <summary>
    /// K = 3 steps of 2 images with accumulate 3 leave the weights alone until the third, then equal one step on the
    /// batch of those 6 images (Nesterov SGD with decay, the clipping acting on the summed gradient), twice over so the
    /// momentum buffers agree too.
    /// </summary>
    [Fact]
    public void AccumulatedBatchesEqualOneBatchOfAllTheirImages()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        var images = torch.randn([2, 6, 3, 2, 2]);                                                  // [rounds, 6, 3, 2, 2]
        torch.manual_seed(5);
        using var small = new SumOverImages();
        torch.manual_seed(5);
        using var large = new SumOverImages();
        Assert.Equal(Weights(small), Weights(large));
        var optim = new OptimConfig { Optimizer = "sgd", SgdMomentum = 0.937 };
        var choice = new OptimizerChoice("sgd", 0.01, 0.937, false);
        using var smallOpt = TrainingOptimizer.Create(small, optim, choice, 5e-2, out _);
        using var largeOpt = TrainingOptimizer.Create(large, optim, choice, 5e-2, out _);
        // a clipping norm the gradients exceed: clipping each batch's part would give other weights
        var smallStep = new TrainingStep(small, smallOpt, clipMaxNorm: 1.0);
        var largeStep = new TrainingStep(large, largeOpt, clipMaxNorm: 1.0);
        for (int round = 0; round < 2; round++)
        {
            var before = Weights(small);
            for (int k = 0; k < 3; k++)
            {
                smallStep.Run(Batch(images[round].narrow(0, 2 * k, 2)), round * 3 + k + 1, accumulate: 3);
                if (k < 2)
                {
                    Assert.Equal(k + 1, smallStep.Pending);
                    Assert.Equal(before, Weights(small));
                }
            }
            Assert.Equal(0, smallStep.Pending);
            largeStep.Run(Batch(images[round]), round + 1);
            using (torch.no_grad())
            {
                var norm = large.Module.parameters().Select(p => p.grad!.pow(2).sum().item<double>()).Sum();
                // the gradients the step used were clipped: their norm is the clipping's
                Assert.True(Math.Abs(Math.Sqrt(norm) - 1.0) < 1e-5, $"the gradient norm {Math.Sqrt(norm)} does not reach the clipping");
            }
            var a = Weights(small);
            var b = Weights(large);
            Assert.NotEqual(before, a);
            for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-6, $"round {round}, weight {i}: {a[i]} accumulated vs {b[i]} in one batch");
        }
    }

    static Dictionary<string, float[]> Values(IReadOnlyDictionary<string, Tensor> sd)
    {
        using var scope = torch.NewDisposeScope();
        return sd.ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Float32).data<float>());
    }

    static void Same(Dictionary<string, float[]> a, Dictionary<string, float[]> b, string what)
    {
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (k, v) in a)
            for (int i = 0; i < v.Length; i++)
                Assert.True(Math.Abs(v[i] - b[k][i]) <= 1e-5 * (1 + Math.Abs(v[i])), $"{what} {k}[{i}]: {v[i]} vs {b[k][i]} after resume");
    }

    /// <summary>
    /// YOLOv8 with its recipe (auto: AdamW, warm-up ramping the accumulation from 1 to nbs / batch = 3, EMA with its ramp)
    /// stopped after step 4, between optimizer steps (the warm-up's accumulate is 2 there and one batch waits), then
    /// resumed in a scrambled process: weights and EMA weights equal the straight run's, as in <see cref="ResumeTests"/>.
    /// </summary>
    [Fact]
    public void AYoloRunResumedBetweenOptimizerStepsEqualsTheStraightRun()
    {
        var tiny = TinyData.Config(_data.Root);
        var cfg = tiny.With([("model.name", "yolov8")]) with { Data = tiny.Data, Runtime = tiny.Runtime };
        cfg = TinyData.With(cfg, ("schedule.epochs", 3), ("schedule.max_steps", 8), ("schedule.warmup_steps", 0), ("schedule.time_limit_minutes", 0),
            ("optim.nominal_batch_size", 12), ("eval.every", 0));
        Assert.Equal(3, cfg.Optim.Accumulate(cfg.Data.BatchSize));
        var dirA = Path.Combine(_data.Root, "yoloA");
        var dirB = Path.Combine(_data.Root, "yoloB");
        (IDetector, TrainingData) Fresh(RunConfig c)
        {
            torch.manual_seed(c.Runtime.Seed);
            var data = TrainingData.Open(_data.Root, c);
            return (DetectorFactory.Build(c, data.ClassNames.Count), data);
        }

        var (detA, dataA) = Fresh(cfg);
        Dictionary<string, float[]> straight, straightEma;
        using (detA)
        using (var trainer = new Trainer(detA, dataA, cfg, dirA))
        {
            // 5 classes: round(0.002 × 5 / 9, 6)
            Assert.Equal(5, dataA.ClassNames.Count);
            Assert.Equal(new OptimizerChoice("adamw", 0.001111, 0.9, true), trainer.Optimizer);
            trainer.Run();
            straight = Values(detA.Module.state_dict());
            using var ckpt = Checkpoint.Load(trainer.CheckpointPath);
            straightEma = Values(ckpt.Ema!);
        }

        var (detB, dataB) = Fresh(cfg);
        using (detB)
        using (var trainer = new Trainer(detB, dataB, cfg, dirB))
        {
            Assert.Null(trainer.Run(stopAfterStep: 4));
            using var ckpt = Checkpoint.Load(trainer.CheckpointPath);
            // optimizer steps at steps 1, 2, 3 (accumulate 1), then 2 from step 4 on: one batch waits
            Assert.Equal(1L, ckpt.Root["accumulated_batches"]);
            Assert.Equal(3L, ckpt.Root["ema_updates"]);
        }

        torch.manual_seed(12345);
        var (detC, _) = Fresh(TinyData.With(cfg, ("runtime.seed", 999)));
        using (detC)
        using (var trainer = new Trainer(detC, dataB, cfg, dirB))
        {
            trainer.Resume();
            trainer.Run();
            Assert.Equal(8, trainer.Progress.Step);
            Same(straight, Values(detC.Module.state_dict()), "weight");
            using var ckpt = Checkpoint.Load(trainer.CheckpointPath);
            Same(straightEma, Values(ckpt.Ema!), "EMA weight");
        }
    }
}
