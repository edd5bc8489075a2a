using DetrSharp.Detection.Dino;
using DetrSharp.Torch;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `detrsharp bench dino`: multi-scale deformable attention forward + backward at DINO-4scale sizes (batch 2,
/// 900 queries with box references, the 4 levels of an 800×1066 image: 100×134, 50×67, 25×34, 13×17; 256-d,
/// 8 heads, 4 points), against the reference's ms_deform_attn_core_pytorch path (../shared/perf/REFERENCE.md).
/// </summary>
public sealed class DinoBench : IBenchSuite
{
    public string Name => "dino";
    public string Description => "DINO multi-scale deformable attention forward + backward at DINO-4scale sizes, vs the reference";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        int runs = options.Runs > 0 ? options.Runs : 11;
        int warmup = options.Warmup > 0 ? options.Warmup : 2;
        yield return Msda(runs, warmup, MsDeformSamplingMode.Stacked);
        yield return Msda(runs, warmup, MsDeformSamplingMode.PerLevel);
    }

    /// <summary>One case; PerLevel is the reference's algorithm (a grid_sample per level) with the same ops, for an in-run ratio.</summary>
    static BenchResult Msda(int runs, int warmup, MsDeformSamplingMode mode)
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
            var output = attn.call(query, boxes, value, shapes);                                               // [B, Q, d]
            output.sum().backward();
        }

        var times = BenchTimer.Measure(Step, warmup, runs);
        var result = new BenchResult { Case = mode == MsDeformSamplingMode.Stacked ? "msda_fwd_bwd_b2_q900_4lvl_800x1066" : "msda_fwd_bwd_b2_q900_4lvl_800x1066_per_level", RunsMs = times };
        const double referenceMs = 347;
        result.Extra["reference_ms"] = referenceMs;
        result.Extra["speedup_vs_reference"] = Math.Round(referenceMs / result.MedianMs, 3);
        result.Extra["sampling"] = attn.Sampling.ToString();
        result.Extra["threads"] = torch.get_num_threads();
        return result;
    }
}
