using System.Text.Json.Nodes;
using DetrSharp.Detection.Configuration;
using DetrSharp.Detection.Detr;
using DetrSharp.Detection.Families;
using DetrSharp.Detection.Matching;
using DetrSharp.Torch;
using Xunit;
using Xunit.Abstractions;

namespace DetrSharp.Training.Tests;

/// <summary>
/// runtime.precision: how auto resolves, bf16's forward against float32's on the same weights and inputs (the weighted
/// loss within 5%, each term within 10% + 0.01, the same Hungarian matches once trained), a short bf16 training run (loss falls, no NaN, float32 weights),
/// and what a run records (log.jsonl's run row, eval.json).
/// </summary>
[Collection(SerialTraining.Name)]
public class MixedPrecisionTests(ITestOutputHelper output)
{
    static readonly RunPrecision Bf16 = new("bf16", Device.CPU, "test");

    static DetrDetector Build()
    {
        torch.manual_seed(3);
        var config = DetrConfig.Reference with
        {
            Backbone = "resnet18", HiddenDim = 64, NHeads = 4, EncLayers = 1, DecLayers = 2, DimFeedforward = 128,
            NumQueries = 6, NumClasses = 3, Dropout = 0,
        };
        var detector = (DetrDetector)DetrFamily.Instance.Build(config, new DetectorBuildOptions());
        detector.Model.train();
        return detector;
    }

    [Fact]
    public void AutoPicksBFloat16OnlyWhereTheCpuHasIt()
    {
        Assert.Equal("bf16", RunPrecision.Resolve("auto", Device.CPU, new HashSet<string> { "avx2", "avx512_bf16" }).Name);
        Assert.Equal("bf16", RunPrecision.Resolve("auto", Device.CPU, new HashSet<string> { "amx_bf16", "amx_tile" }).Name);
        Assert.Equal("fp32", RunPrecision.Resolve("auto", Device.CPU, new HashSet<string> { "avx2", "avx512f" }).Name);
        Assert.Equal("bf16", RunPrecision.Resolve("bf16", Device.CPU, new HashSet<string>()).Name);   // set: runs (slowly) anywhere
        Assert.Equal("fp32", RunPrecision.Resolve("fp32", Device.CPU, new HashSet<string> { "avx512_bf16" }).Name);
        Assert.Contains("runtime.precision fp16 needs a CUDA device", Assert.Throws<ConfigException>(() => RunPrecision.Resolve("fp16", Device.CPU)).Message);
        Assert.False(Bf16.NeedsGradScaler);
        Assert.True(new RunPrecision("fp16", Device.CUDA, "test").NeedsGradScaler);
    }

    [Fact]
    public void TheSettingIsValidatedAndMayChangeOnResume()
    {
        var c = new RunConfig();
        Assert.Equal("auto", c.Runtime.Precision);
        var bad = Assert.Throws<ConfigException>(() => c.With([("runtime.precision", "\"half\"")]).Validate());
        Assert.Contains("runtime.precision must be one of auto, fp32, bf16, fp16; got \"half\"", bad.Message);
        var fp16 = Assert.Throws<ConfigException>(() => c.With([("runtime.precision", "\"fp16\"")]).Validate());
        Assert.Contains("runtime.precision fp16 needs a CUDA device", fp16.Message);
        Assert.Contains("runtime.precision", ResumeRules.Mutable);
        var merged = ResumeRules.Merge(c, c.With([("runtime.precision", "\"fp32\"")]), "ckpt");
        Assert.Equal("fp32", merged.Runtime.Precision);
    }

    // The batch's loss terms and Hungarian matches, float32 against bf16 autocast on the same weights: the weighted total
    // within 5%, every weighted term within 10% + 0.01 and, when asked, the same matches in every image.
    void AssertBFloat16AgreesWithFloat32(DetrDetector detector, DetectionBatch batch, bool sameMatches)
    {
        using var scope = torch.NewDisposeScope();
        var matcher = (HungarianMatcher)detector.Criterion.Matcher;
        var full = detector.Losses(batch).ToDictionary(kv => kv.Key, kv => kv.Value.item<double>());
        var out32 = detector.Model.forward(batch.Samples);
        var match32 = matcher.Match(out32.PredLogits, out32.PredBoxes, batch.Targets);

        Dictionary<string, double> mixed;
        DetrOutput out16;
        using (Bf16.Autocast())
        {
            var terms = detector.Losses(batch);
            Assert.All(terms.Values, t => Assert.Equal(ScalarType.Float32, t.dtype));         // the criterion ran in float32
            mixed = terms.ToDictionary(kv => kv.Key, kv => kv.Value.item<double>());
            out16 = detector.Model.forward(batch.Samples);
        }
        Assert.Equal(ScalarType.BFloat16, out16.PredLogits.dtype);                            // the forward did not
        var match16 = matcher.Match(out16.PredLogits.@float(), out16.PredBoxes.@float(), batch.Targets);

        var keys = detector.WeightDict.Keys.Where(full.ContainsKey).ToList();
        foreach (var key in keys)
            output.WriteLine($"{key}: fp32 {full[key]:F5} bf16 {mixed[key]:F5} ({Math.Abs(mixed[key] - full[key]) / Math.Max(Math.Abs(full[key]), 1e-6):P2})");
        for (int i = 0; i < batch.Targets.Count; i++)
            output.WriteLine($"image {i}: fp32 {match32[i]}, bf16 {match16[i]}");
        double total32 = keys.Sum(k => full[k] * detector.WeightDict[k]), total16 = keys.Sum(k => mixed[k] * detector.WeightDict[k]);
        output.WriteLine($"weighted total: fp32 {total32:F5} bf16 {total16:F5}");
        Assert.True(Math.Abs(total16 - total32) <= 0.05 * Math.Abs(total32), $"weighted loss: bf16 {total16} differs from fp32 {total32} by more than 5%");
        foreach (var key in keys)
        {
            double a = full[key], b = mixed[key];
            Assert.True(double.IsFinite(b), $"{key} is {b} under bf16");
            // bf16 keeps 8 significant bits: logits of a few units move by ~0.02, which a confident cross-entropy feels
            Assert.True(Math.Abs(b - a) <= 0.1 * Math.Abs(a) + 0.01, $"{key}: bf16 {b} differs from fp32 {a} by more than 10% + 0.01");
        }
        if (!sameMatches) return;
        for (int i = 0; i < batch.Targets.Count; i++)
        {
            Assert.Equal(match32[i].Src, match16[i].Src);
            Assert.Equal(match32[i].Tgt, match16[i].Tgt);
        }
    }

    [Fact]
    public void BFloat16ForwardOfAnUntrainedModelGivesLossesCloseToFloat32s()
    {
        using var detector = Build();
        using var scope = torch.NewDisposeScope();
        var (samples, targets) = TinyDetrOverfitTests.Batch(64);
        // untrained, the queries' costs nearly tie, so the matches may differ by rounding: only the losses are compared
        AssertBFloat16AgreesWithFloat32(detector, new DetectionBatch { Samples = samples, Targets = targets }, sameMatches: false);
    }

    [Fact]
    public void BFloat16TrainingLowersTheLossWithoutNaNAndThenMatchesAsFloat32()
    {
        using var detector = Build();
        using var optimizer = TrainingOptimizer.Create(detector, new OptimConfig { Lr = 1e-3, LrBackbone = 1e-4, WeightDecay = 1e-4, ClipMaxNorm = 0.1 });
        var step = new TrainingStep(detector, optimizer, 0.1, precision: Bf16);
        using var data = torch.NewDisposeScope();
        var (samples, targets) = TinyDetrOverfitTests.Batch(64);
        var batch = new DetectionBatch { Samples = samples, Targets = targets };
        var history = new List<double>();
        for (int i = 0; i < 40; i++)
        {
            double loss = step.Run(batch, i + 1)["loss"];
            Assert.True(double.IsFinite(loss), $"step {i + 1}: loss {loss}");
            history.Add(loss);
        }
        output.WriteLine(string.Join(" ", history.Select((l, i) => i % 5 == 0 ? $"{i}:{l:F3}" : null).Where(s => s != null)));
        double first = history.Take(5).Average(), last = history.TakeLast(5).Average();
        Assert.True(last < 0.7 * first, $"loss {first:F3} → {last:F3}");
        Assert.All(detector.Module.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));   // master weights stay float32
        Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
        // trained, the predictions are decisive: bf16's forward matches the same queries as float32's
        AssertBFloat16AgreesWithFloat32(detector, batch, sameMatches: true);
    }

    [Fact]
    public void TheRunLogAndEvalJsonRecordThePrecisionThatRan()
    {
        using var data = new TinyData();
        var cfg = TinyData.With(TinyData.Config(data.Root), ("schedule.max_steps", 2), ("runtime.precision", "bf16"));
        torch.manual_seed(cfg.Runtime.Seed);
        var training = TrainingData.Open(data.Root, cfg);
        using var det = DetectorFactory.Build(cfg, training.ClassNames.Count);
        var dir = Path.Combine(data.Root, "bf16");
        using (var trainer = new Trainer(det, training, cfg, dir))
        {
            Assert.Equal("bf16", trainer.Precision.Name);
            trainer.Run();
        }
        var first = JsonNode.Parse(File.ReadLines(Path.Combine(dir, RunLog.FileName)).First())!;
        Assert.Equal("run", (string?)first["type"]);
        Assert.Equal("bf16", (string?)first["precision"]);
        var eval = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "eval.json")))!;
        Assert.Equal("bf16", (string?)eval["precision"]);
    }
}
