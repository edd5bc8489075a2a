using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Families;
using DetrSharp.Torch;
using Xunit;
using Xunit.Abstractions;

namespace DetrSharp.Training.Tests;

/// <summary>
/// DINO through the family contract and the one training step: selected by model.name with its recipe, a tiny DINO
/// (hidden 128 as the CPU defaults, 1 + 2 layers, 20 queries) trained on the tiny synthetic set: the loss falls, the
/// objects are found on the training images and validation AP50 ends above the untrained model's; and a run stopped
/// and resumed equals a straight one (the denoising noise comes from the generator the checkpoint saves).
/// </summary>
[Collection(SerialTraining.Name)]
public class DinoTrainingTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    readonly ITestOutputHelper output;
    public DinoTrainingTests(TinyData data, ITestOutputHelper output)
    {
        _data = data;
        this.output = output;
    }

    /// <summary>The tiny data's run with model.name dino (its recipe), a tiny DINO, and the tiny data and runtime sections.</summary>
    internal static RunConfig TinyDino(string root, params (string key, object value)[] settings)
    {
        var tiny = TinyData.Config(root);
        var cfg = tiny.With([("model.name", "dino")]) with { Data = tiny.Data, Runtime = tiny.Runtime };
        cfg = TinyData.With(cfg, ("model.num_queries", 20), ("model.enc_layers", 1), ("model.dec_layers", 2), ("model.dim_feedforward", 128),
            ("model.enc_n_points", 2), ("model.dec_n_points", 2), ("model.dn_number", 5), ("model.num_select", 20));
        return TinyData.With(cfg, settings);
    }

    [Fact]
    public void SamplingOffsetsTrainAtTheLinearProjectionMultiple()
    {
        var cfg = TinyDino(_data.Root, ("optim.lr", 2e-4), ("optim.lr_backbone", 1e-5));
        Assert.Equal(0.1, ((DinoConfig)cfg.Model).LrLinearProjMult);
        using var det = DetectorFactory.Build(cfg, 5);
        using var opt = TrainingOptimizer.Create(det, cfg.Optim);
        var lrOf = new Dictionary<Tensor, double>(ReferenceEqualityComparer.Instance);
        foreach (var g in opt.param_groups) foreach (var p in g.@params) lrOf[p] = g.lr;
        var named = det.Module.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        Assert.Contains(named, p => p.name.Contains("sampling_offsets"));
        foreach (var (name, p) in named)
        {
            double want = name.StartsWith("backbone.") ? 1e-5 : name.Contains("sampling_offsets") || name.Contains("reference_points") ? 2e-5 : 2e-4;
            Assert.True(Math.Abs(lrOf[p] - want) < 1e-12, $"{name}: lr {lrOf[p]}, expected {want}");
        }
    }

    [Fact]
    public void LossFallsAndValidationBeatsTheUntrainedModel()
    {
        var cfg = TinyDino(_data.Root, ("schedule.epochs", 60), ("schedule.max_steps", 60), ("schedule.warmup_steps", 10),
            ("eval.every", 0), ("optim.lr", 1e-3), ("optim.lr_backbone", 1e-3), ("runtime.log_every", 1),
            // 60 steps: the sampling offsets at the full (raised) lr too, not DINO's 0.1 of it
            ("model.lr_linear_proj_mult", 1.0));
        Assert.IsType<DinoConfig>(cfg.Model);
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, cfg);
        using var det = DetectorFactory.Build(cfg, data.ClassNames.Count);
        Assert.Equal("dino", det.Family);
        Assert.Contains(det.ParameterGroups(), g => g.Role == ParameterRole.Backbone && g.Parameters.Count > 0);
        double untrained = DetectionEvaluator.Evaluate(det, data.ValLoader, data.ValGroundTruth).AP50;
        using var trainer = new Trainer(det, data, cfg, Path.Combine(_data.Root, "dino"));
        var result = trainer.Run();
        var curve = trainer.LossCurve.Select(p => p.loss).ToArray();
        double first = curve.Take(10).Average(), last = curve.TakeLast(10).Average();
        Assert.NotNull(result);
        var onTrain = DetectionEvaluator.Evaluate(det, new DetrSharp.Data.Loading.DataLoader(data.Train,
            DetrSharp.Data.Transforms.DetrTransforms.Val(cfg.Data.ValSize, cfg.Data.MaxSize), new() { BatchSize = 4, Shuffle = false }),
            DetrSharp.Evaluation.CocoGroundTruth.Load(TrainingData.Locate(_data.Root, "train").annotations));
        output.WriteLine($"dino: {curve.Length} steps, loss {first:F2} -> {last:F2}; AP50 val {result!.AP50:F3} (untrained {untrained:F3}), train {onTrain.AP50:F3}");
        Assert.True(last < 0.8 * first, $"dino: loss did not fall: first 10 steps {first:F3}, last 10 {last:F3}");
        Assert.True(result.AP50 > untrained, $"dino: validation AP50 {result.AP50:F3} vs {untrained:F3} untrained");
        Assert.True(onTrain.AP50 > 0.1, $"dino: AP50 on the training images is {onTrain.AP50:F3}");
    }

    static Dictionary<string, float[]> Weights(IDetector d)
    {
        using var scope = torch.NewDisposeScope();
        return d.Module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Float32).data<float>());
    }

    (IDetector detector, TrainingData data) Fresh(RunConfig cfg)
    {
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, cfg);
        return (DetectorFactory.Build(cfg, data.ClassNames.Count), data);
    }

    /// <summary>2N steps straight equal N steps, a stop, and N more after resume, to 1e-5 relative (as ResumeTests for DETR).</summary>
    [Fact]
    public void ResumedRunEqualsStraightRun()
    {
        const double tolerance = 1e-5;
        var cfg = TinyDino(_data.Root, ("schedule.max_steps", 6), ("schedule.epochs", 3));
        var dirA = Path.Combine(_data.Root, "dinoA");
        var dirB = Path.Combine(_data.Root, "dinoB");

        var (detA, dataA) = Fresh(cfg);
        Dictionary<string, float[]> straight, initial;
        using (detA)
        {
            initial = Weights(detA);
            using var trainer = new Trainer(detA, dataA, cfg, dirA);
            trainer.Run();
            straight = Weights(detA);
        }

        var (detB, dataB) = Fresh(cfg);
        using (detB)
        using (var trainer = new Trainer(detB, dataB, cfg, dirB))
        {
            Assert.Null(trainer.Run(stopAfterStep: 3));
            Assert.Equal(3, trainer.Progress.Step);
        }

        // a new process would start from a different RNG state: scramble it before resuming
        torch.manual_seed(12345);
        var (detC, _) = Fresh(TinyData.With(cfg, ("runtime.seed", 999)));
        using (detC)
        using (var trainer = new Trainer(detC, dataB, cfg, dirB))
        {
            trainer.Resume();
            Assert.Equal(3, trainer.Progress.Step);
            trainer.Run();
            Assert.Equal(6, trainer.Progress.Step);
            var resumed = Weights(detC);
            Assert.Equal(straight.Keys, resumed.Keys);
            // the run trained: the comparison is not between two untouched models
            Assert.Contains(straight, kv => kv.Value.Where((v, i) => Math.Abs(v - initial[kv.Key][i]) > 1e-4).Any());
            foreach (var (k, v) in straight)
                for (int i = 0; i < v.Length; i++)
                    Assert.True(Math.Abs(v[i] - resumed[k][i]) <= tolerance * (1 + Math.Abs(v[i])), $"{k}[{i}]: {v[i]} vs {resumed[k][i]} after resume");
        }
    }
}
