using DetrSharp.Assignment;
using DetrSharp.Detection.Boxes;
using DetrSharp.Detection.Matching;
using DetrSharp.Torch;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `detrsharp bench matcher`: HungarianMatcher.Match on random inputs, batch 8 with 20 targets per image —
/// DETR's softmax cost (100 queries, 92 logits) and DINO's focal cost (900 queries, 91 classes) — against
/// the references' HungarianMatcher.forward (../shared/perf/REFERENCE.md). Each case also times, in the same
/// run, the reference's algorithm written with the same ops (every query against every target of the batch,
/// then one assignment per image in turn), so the gain of per-image blocks and parallel solving is visible.
/// </summary>
public sealed class MatcherBench : IBenchSuite
{
    const int Batch = 8, Targets = 20;

    public string Name => "matcher";
    public string Description => "Hungarian matcher (DETR softmax / DINO focal cost), batch 8, 20 targets per image, vs the references";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        int runs = options.Runs > 0 ? options.Runs : 51;
        int warmup = options.Warmup > 0 ? options.Warmup : 10;
        var detr = HungarianMatcherOptions.Detr with { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : -1 };
        var dino = HungarianMatcherOptions.Dino with { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : -1 };
        yield return Case("matcher_b8_q100_c92_t20", detr, queries: 100, classes: 92, referenceMs: 3.8, runs, warmup);
        yield return Case("matcher_b8_q900_c91_t20", dino, queries: 900, classes: 91, referenceMs: 36.6, runs, warmup);
    }

    static BenchResult Case(string name, HungarianMatcherOptions options, int queries, int classes, double referenceMs, int runs, int warmup)
    {
        using var gen = new Generator(seed: 20240501 + queries);
        using var logits = torch.randn([Batch, queries, classes], generator: gen);                 // [B, Q, C]
        using var raw = torch.rand([Batch, queries, 4], generator: gen);
        using var boxes = Boxes(raw);                                                             // [B, Q, 4] cxcywh
        var owned = new List<Tensor>();
        var targets = new List<DetectionTarget>();
        for (int b = 0; b < Batch; b++)
        {
            var labels = torch.randint(0, classes - 1, [Targets], ScalarType.Int64, generator: gen);   // [T]
            using var r = torch.rand([Targets, 4], generator: gen);
            var tb = Boxes(r);                                                                     // [T, 4]
            owned.Add(labels);
            owned.Add(tb);
            targets.Add(new DetectionTarget(labels, tb));
        }
        var matcher = new HungarianMatcher(options);

        void Ours()
        {
            using var scope = torch.NewDisposeScope();
            matcher.Match(logits, boxes, targets);
        }
        void ReferenceAlgorithm()
        {
            using var scope = torch.NewDisposeScope();
            FullBatchMatch(options, logits, boxes, targets);
        }

        for (int k = 0; k < warmup; k++)
        {
            Ours();
            ReferenceAlgorithm();
        }
        var ours = new List<double>(runs);
        var full = new List<double>(runs);
        for (int k = 0; k < runs; k++)
        {
            ours.AddRange(BenchTimer.Measure(Ours, 0, 1));
            full.AddRange(BenchTimer.Measure(ReferenceAlgorithm, 0, 1));
        }
        foreach (var t in owned) t.Dispose();

        var result = new BenchResult { Case = name, RunsMs = ours };
        result.Extra["reference_ms"] = referenceMs;
        result.Extra["speedup_vs_reference"] = Math.Round(referenceMs / result.MedianMs, 3);
        double fullMs = BenchResult.Median(full);
        result.Extra["full_batch_cost_ms"] = Math.Round(fullMs, 6);
        result.Extra["speedup_vs_full_batch_cost"] = Math.Round(fullMs / result.MedianMs, 3);
        result.Extra["threads"] = torch.get_num_threads();
        return result;
    }

    /// <summary>Valid normalised boxes from uniform noise: centres in [0.1, 0.9], sizes in [0.02, 0.3].</summary>
    static Tensor Boxes(Tensor uniform)
    {
        using var centre = uniform.slice(-1, 0, 2);
        using var size = uniform.slice(-1, 2, 4);
        using var c = centre * 0.8 + 0.1;
        using var s = size * 0.28 + 0.02;
        return torch.cat(new[] { c, s }, -1);
    }

    /// <summary>
    /// The reference's forward with the same ops: probabilities of all B·Q queries, costs against all N
    /// targets of the batch ([B·Q, N]), copied out, split by image and solved one image after another.
    /// </summary>
    static void FullBatchMatch(HungarianMatcherOptions o, Tensor logits, Tensor boxes, IReadOnlyList<DetectionTarget> targets)
    {
        using var noGrad = torch.no_grad();
        var s = logits.shape;
        var outLogits = logits.flatten(0, 1);                                                     // [B·Q, C]
        var outBbox = boxes.flatten(0, 1);                                                        // [B·Q, 4]
        var tgtIds = torch.cat(targets.Select(t => t.Labels).ToArray());                          // [N]
        var tgtBbox = torch.cat(targets.Select(t => t.Boxes).ToArray());                          // [N, 4]
        Tensor costClass;
        if (o.ClassCost == MatchClassCostKind.Softmax)
        {
            var prob = outLogits.softmax(-1);
            costClass = -prob.index_select(1, tgtIds);
        }
        else
        {
            var p = outLogits.sigmoid();
            var neg = (1 - o.FocalAlpha) * p.pow(o.FocalGamma) * -(1 - p + o.FocalEps).log();
            var pos = o.FocalAlpha * (1 - p).pow(o.FocalGamma) * -(p + o.FocalEps).log();
            costClass = pos.index_select(1, tgtIds) - neg.index_select(1, tgtIds);
        }
        var costBbox = torch.cdist(outBbox, tgtBbox, 1.0);
        var giou = o.GiouEps == 0
            ? BoxOps.GeneralizedBoxIou(BoxOps.CxcywhToXyxy(outBbox), BoxOps.CxcywhToXyxy(tgtBbox))
            : DinoBoxOps.GeneralizedBoxIou(BoxOps.CxcywhToXyxy(outBbox), BoxOps.CxcywhToXyxy(tgtBbox));
        var c = o.CostBbox * costBbox + o.CostClass * costClass + o.CostGiou * -giou;
        var host = c.view(s[0], s[1], -1).cpu();                                                  // [B, Q, N]
        int start = 0;
        for (int b = 0; b < targets.Count; b++)
        {
            int n = targets[b].Count;
            var block = host.select(0, b).slice(1, start, start + n).contiguous().data<float>();  // [Q, n]
            LinearSumAssignment.Solve(block, (int)s[1], n);
            start += n;
        }
    }
}
