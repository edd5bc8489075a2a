using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Families;
using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Models;
using DetrSharp.Torch;
using DetrSharp.Training;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `detrsharp bench dino`, against the reference DINO code on its pytorch MSDA path (../shared/perf/REFERENCE.md):
/// multi-scale deformable attention forward + backward at DINO-4scale sizes (batch 2, 900 queries with box
/// references, the 4 levels of an 800×1066 image: 100×134, 50×67, 25×34, 13×17; 256-d, 8 heads, 4 points), once
/// with the one-canvas sampling and once with the reference's per-level loop; DINO-4scale R50 inference on one
/// 800×1066 image; and a training step at batch 2 of 512×512 (denoising queries, criterion, backward, clip 0.1,
/// AdamW). Wall times plus the process's CPU time per run (on a loaded machine the wall time is mostly waiting).
/// </summary>
public sealed class DinoBench : IBenchSuite
{
    const int TargetsPerImage = 8;

    public string Name => "dino";
    public string Description => "DINO-4scale: MSDA forward+backward, R50 inference (800x1066), training step (batch 2, 512x512) vs the reference";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        int runs = options.Runs > 0 ? options.Runs : 5;
        int warmup = options.Warmup > 0 ? options.Warmup : 1;
        var precision = options.ResolvePrecision();
        foreach (var mode in new[] { MsDeformSamplingMode.Stacked, MsDeformSamplingMode.PerLevel })
            yield return Tagged(Msda(runs, warmup, mode, precision), precision);
        torch.manual_seed(42);
        var config = DinoConfig.FourScale();
        using var model = DinoBuilder.Build(config);
        yield return Tagged(Inference(model, precision, Math.Min(runs, 3), warmup), precision);
        yield return Tagged(TrainStep(model, config, precision, Math.Min(runs, 3), warmup), precision);
    }

    static BenchResult Tagged(BenchResult r, RunPrecision precision)
    {
        r.Extra["precision"] = precision.Name;
        return r;
    }

    /// <summary>One MSDA case; PerLevel is the reference's algorithm (a grid_sample per level) with the same ops.</summary>
    static BenchResult Msda(int runs, int warmup, MsDeformSamplingMode mode, RunPrecision precision)
    {
        const int batch = 2, queries = 900, levels = 4, heads = 8, points = 4;
        const long d = 256;
        var shapes = new LevelShapes(new (long, long)[] { (100, 134), (50, 67), (25, 34), (13, 17) });
        using var gen = new Generator(seed: 20261204);
        using var attn = new MSDeformAttn(d, levels, heads, points) { Sampling = mode };
        using var query = torch.randn(new long[] { batch, queries, d }, generator: gen).requires_grad_();          // [B, Q, d]
        using var value = torch.randn(new long[] { batch, shapes.Total, d }, generator: gen).requires_grad_();    // [B, S, d]
        using var raw = torch.rand(new long[] { batch, queries, 1, 4 }, generator: gen);
        using var boxes = raw.mul(0.8).add(0.1).expand(batch, queries, levels, 4).contiguous().requires_grad_(); // [B, Q, L, 4]

        void Step()
        {
            using var scope = torch.NewDisposeScope();
            Tensor output;
            using (precision.Autocast()) output = attn.call(query, boxes, value, shapes);                      // [B, Q, d]
            output.@float().sum().backward();
        }

        var name = mode == MsDeformSamplingMode.Stacked ? "msda_fwd_bwd_b2_q900_4lvl_800x1066" : "msda_fwd_bwd_b2_q900_4lvl_800x1066_per_level";
        var result = ModelBenchTiming.Measure(name, Step, warmup, runs);
        ModelBenchTiming.AddReference(result, 347, 281);
        result.Extra["sampling"] = mode.ToString();
        return result;
    }

    static BenchResult Inference(DINO model, RunPrecision precision, int runs, int warmup)
    {
        using var gen = new Generator(seed: 800);
        using var data = torch.NewDisposeScope();
        var samples = new NestedTensor(torch.randn([1, 3, 800, 1066], generator: gen), torch.zeros([1, 800, 1066], ScalarType.Bool));
        model.eval();

        void Infer()
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            using var autocast = precision.Autocast();
            model.forward(samples);
        }

        var result = ModelBenchTiming.Measure("dino4scale_r50_infer_b1_800x1066", Infer, warmup, runs);
        ModelBenchTiming.AddReference(result, 10184, 10110);
        model.train();
        return result;
    }

    static BenchResult TrainStep(DINO model, DinoConfig config, RunPrecision precision, int runs, int warmup)
    {
        using var gen = new Generator(seed: 512);
        using var data = torch.NewDisposeScope();
        var samples = new NestedTensor(torch.randn([2, 3, 512, 512], generator: gen), torch.zeros([2, 512, 512], ScalarType.Bool));
        var targets = new DetectionTarget[2];
        for (int b = 0; b < 2; b++)
        {
            var labels = torch.randint(0, config.NumClasses, [TargetsPerImage], ScalarType.Int64, generator: gen);  // [T]
            var centre = torch.rand([TargetsPerImage, 2], generator: gen).mul(0.6).add(0.2);                         // [T, 2]
            var size = torch.rand([TargetsPerImage, 2], generator: gen).mul(0.3).add(0.05);                          // [T, 2]
            targets[b] = new DetectionTarget(labels, torch.cat([centre, size], 1));                                  // [T, 4] cxcywh
        }
        var criterion = new DinoCriterion(config.NumClasses, new HungarianMatcher(HungarianMatcherOptions.Dino), DinoCriterion.DefaultWeights(config.DecLayers));
        var named = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var backbone = named.Where(p => p.name.StartsWith("backbone.", StringComparison.Ordinal)).Select(p => p.parameter).ToArray();
        var rest = named.Where(p => !p.name.StartsWith("backbone.", StringComparison.Ordinal)).Select(p => p.parameter).ToArray();
        using var optimizer = new optim.AdamW([new optim.ParamGroup(rest, lr: 1e-4), new optim.ParamGroup(backbone, lr: 1e-5)], weight_decay: 1e-4);
        var trainable = named.Select(p => p.parameter).ToArray();
        using var noise = new Generator(seed: 7);
        model.train();
        double loss = double.NaN;

        void Step()
        {
            using var scope = torch.NewDisposeScope();
            var dn = ContrastiveDenoising.Prepare(targets, config.DnNumber, config.DnLabelNoiseRatio, config.DnBoxNoiseScale,
                config.NumQueries, config.NumClasses, noise);
            Tensor total;
            using (precision.Autocast())
            {
                var outputs = model.forward(samples, dn);
                using var fp32 = Float32Region.Enter(outputs.PredLogits);                 // the criterion in float32, as DinoDetector's
                total = criterion.WeightedTotal(criterion.Compute(outputs.Map(fp32.Cast), targets, training: true).Losses);
            }
            optimizer.zero_grad();
            total.backward();
            nn.utils.clip_grad_norm_(trainable, 0.1);
            optimizer.step();
            loss = total.item<float>();
        }

        var r = ModelBenchTiming.Measure("dino4scale_r50_train_step_b2_512", Step, warmup, runs);
        ModelBenchTiming.AddReference(r, 20728, 19993);
        r.Extra["loss"] = Math.Round(loss, 4);
        return r;
    }
}
