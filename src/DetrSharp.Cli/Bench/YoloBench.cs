using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `detrsharp bench yolo`: the YOLO assignment, loss and decoding at COCO scale — TaskAlignedAssigner on batch 8,
/// 8,400 anchors (640×640, strides 8/16/32), 80 classes, 20 boxes per image (topk 10 and 1); v8DetectionLoss
/// forward + backward on head outputs of that size (3 levels of 64 + 80 channels); NMS (predict and val settings)
/// on 8 × 8,400 × 80; and YOLOv8n / YOLOv10n training steps and inference (<see cref="YoloStepBench"/>) — against THU-MIG/yolov10's times where ../shared/perf/REFERENCE.md has them. Inputs are
/// seeded random: predicted boxes around their anchors, ground-truth boxes of 16 to 320 px anywhere in the image.
/// </summary>
public sealed class YoloBench : IBenchSuite
{
    const int Batch = 8, Classes = 80, Boxes = 20, Image = 640;
    static readonly double[] Strides = { 8, 16, 32 };

    public string Name => "yolo";
    public string Description => "YOLO task-aligned assigner, v8 loss forward+backward and NMS at batch 8, 640x640, 80 classes, vs THU-MIG/yolov10";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        int runs = options.Runs > 0 ? options.Runs : 21;
        int warmup = options.Warmup > 0 ? options.Warmup : 3;
        yield return Assigner("tal_b8_a8400_c80_t20_topk10", topk: 10, referenceMs: 123, runs, warmup);
        yield return Assigner("tal_b8_a8400_c80_t20_topk1", topk: 1, referenceMs: 143, runs, warmup);
        yield return Loss(runs, warmup);
        yield return Suppression("nms_b8_a8400_c80_predict", NmsOptions.Predict, runs, warmup);
        yield return Suppression("nms_b8_a8400_c80_val", NmsOptions.Val, runs, warmup);
        foreach (var r in YoloStepBench.Run(options)) yield return r;
    }

    static BenchResult Assigner(string name, int topk, double referenceMs, int runs, int warmup)
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(seed: 8400 + topk);
        var (anchors, strideTensor) = YoloAnchors.MakeAnchors(Strides.Select(s => ((long)(Image / s), (long)(Image / s))).ToArray(), Strides);
        var ancPixels = anchors * strideTensor;                                                  // [A, 2]
        long na = anchors.shape[0];
        var scores = torch.rand([Batch, na, Classes], generator: gen);                           // [B, A, C]
        var dist = torch.rand([Batch, na, 4], generator: gen) * 6 * strideTensor;                // [B, A, 4]
        var pdBoxes = torch.cat([ancPixels - dist.slice(-1, 0, 2), ancPixels + dist.slice(-1, 2, 4)], -1); // [B, A, 4] xyxy
        var (gtLabels, gtBoxes) = GroundTruth(gen);
        var maskGt = torch.ones([Batch, Boxes, 1]);
        var assigner = new TaskAlignedAssigner(topk, Classes, alpha: 0.5, beta: 6.0);
        long foreground = 0, referenceForeground = 0;
        bool same = true;

        void Ours()
        {
            using var s = torch.NewDisposeScope();
            var r = assigner.Forward(scores, pdBoxes, ancPixels, gtLabels, gtBoxes, maskGt);
            foreground = r.FgMask.sum().item<long>();
        }
        void Reference()
        {
            using var s = torch.NewDisposeScope();
            var (fg, _, _) = ReferenceAssign(scores, pdBoxes, ancPixels, gtLabels, gtBoxes, maskGt, topk);
            referenceForeground = fg.sum().item<long>();
        }
        for (int k = 0; k < warmup; k++) { Ours(); Reference(); }
        using (var check = torch.NewDisposeScope())
        {
            var r = assigner.Forward(scores, pdBoxes, ancPixels, gtLabels, gtBoxes, maskGt);
            var (fg, targetScores, _) = ReferenceAssign(scores, pdBoxes, ancPixels, gtLabels, gtBoxes, maskGt, topk);
            same = torch.equal(r.FgMask, fg) && torch.allclose(r.TargetScores, targetScores, rtol: 1e-4, atol: 1e-5);
        }
        var ours = new List<double>(runs);
        var full = new List<double>(runs);
        for (int k = 0; k < runs; k++)
        {
            ours.AddRange(BenchTimer.Measure(Ours, 0, 1));
            full.AddRange(BenchTimer.Measure(Reference, 0, 1));
        }
        var result = new BenchResult { Case = name, RunsMs = ours };
        result.Extra["reference_ms"] = referenceMs;
        result.Extra["speedup_vs_reference"] = Math.Round(referenceMs / result.MedianMs, 3);
        double fullMs = BenchResult.Median(full);
        result.Extra["reference_algorithm_ms"] = Math.Round(fullMs, 6);
        result.Extra["speedup_vs_reference_algorithm"] = Math.Round(fullMs / result.MedianMs, 3);
        result.Extra["same_assignment_as_reference_algorithm"] = same;
        result.Extra["foreground_anchors"] = foreground;
        result.Extra["threads"] = torch.get_num_threads();
        return result;
    }

    /// <summary>
    /// The reference's TaskAlignedAssigner.forward written step by step with the same ops (dense [B, n, A] masks
    /// and metrics, boxes expanded to [B, n, A, 4] and masked, an int8 count scattered k times, argmax over the
    /// dense mask, int64 one-hot targets), timed in the same run as ours so load on the machine affects both.
    /// </summary>
    /// <returns>fg mask [B, A] bool, target scores [B, A, C] and target boxes [B, A, 4].</returns>
    static (Tensor FgMask, Tensor TargetScores, Tensor TargetBboxes) ReferenceAssign(Tensor pdScores, Tensor pdBboxes, Tensor anc, Tensor gtLabels, Tensor gtBboxes, Tensor maskGt, int topk)
    {
        using var noGrad = torch.no_grad();
        long bs = pdScores.shape[0], na = pdScores.shape[1], nc = pdScores.shape[2], n = gtBboxes.shape[1];
        var ltrb = gtBboxes.view(-1, 1, 4).chunk(2, 2);
        var deltas = torch.cat([anc.unsqueeze(0) - ltrb[0], ltrb[1] - anc.unsqueeze(0)], 2).view(bs, n, na, -1);
        var maskInGts = deltas.amin(3).gt(1e-9).to(ScalarType.Float32);                         // [B, n, A]
        var maskB = (maskInGts * maskGt).to(ScalarType.Bool);
        var overlaps = torch.zeros([bs, n, na]);
        var bboxScores = torch.zeros([bs, n, na]);
        var ind0 = torch.arange(bs, ScalarType.Int64).view(-1, 1).expand(-1, n);
        var ind1 = gtLabels.squeeze(-1).to(ScalarType.Int64);
        bboxScores.index_put_([maskB], pdScores.index([ind0, null, ind1]).index([maskB]));
        var pdBoxes = pdBboxes.unsqueeze(1).expand(-1, n, -1, -1).index([maskB]);
        var gtBoxes = gtBboxes.unsqueeze(2).expand(-1, -1, na, -1).index([maskB]);
        overlaps.index_put_([maskB], Detection.Boxes.BboxIou.Compute(gtBoxes, pdBoxes, false, Detection.Boxes.IouMode.Ciou).squeeze(-1).clamp_min(0));
        var alignMetric = bboxScores.pow(0.5) * overlaps.pow(6.0);

        var (_, topIdx) = alignMetric.topk(topk, -1);
        topIdx.masked_fill_(maskGt.expand(-1, -1, topk).to(ScalarType.Bool).logical_not(), 0);
        var count = torch.zeros([bs, n, na], ScalarType.Int8);
        var ones = torch.ones([bs, n, 1], ScalarType.Int8);
        for (int k = 0; k < topk; k++) count.scatter_add_(-1, topIdx.slice(2, k, k + 1), ones);
        count.masked_fill_(count.gt(1), 0);
        var maskPos = count.to(ScalarType.Float32) * maskInGts * maskGt;

        var fg = maskPos.sum(-2);
        if (fg.max().item<float>() > 1)
        {
            var multi = fg.unsqueeze(1).gt(1).expand(-1, n, -1);
            var isMax = torch.zeros([bs, n, na]).scatter_(1, overlaps.argmax(1).unsqueeze(1), 1.0);
            maskPos = torch.where(multi, isMax, maskPos);
            fg = maskPos.sum(-2);
        }
        var targetGtIdx = maskPos.argmax(-2) + torch.arange(bs, ScalarType.Int64).unsqueeze(1) * n;
        var targetLabels = gtLabels.to(ScalarType.Int64).flatten().index([targetGtIdx]).clamp_min(0);
        var targetBboxes = gtBboxes.view(-1, 4).index([targetGtIdx]);
        var targetScores = torch.zeros([bs, na, nc], ScalarType.Int64).scatter_(2, targetLabels.unsqueeze(-1), 1L);
        targetScores = targetScores.where(fg.unsqueeze(-1).repeat(1, 1, nc).gt(0), 0L);

        alignMetric = alignMetric * maskPos;
        var posAlign = alignMetric.amax(-1, keepdim: true);
        var posOverlaps = (overlaps * maskPos).amax(-1, keepdim: true);
        var norm = (alignMetric * posOverlaps / (posAlign + 1e-9)).amax(-2).unsqueeze(-1);
        return (fg.to(ScalarType.Bool), targetScores * norm, targetBboxes);
    }

    static BenchResult Loss(int runs, int warmup)
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(seed: 269);
        long no = 4 * 16 + Classes;
        var feats = Strides.Select(s => torch.randn([Batch, no, (long)(Image / s), (long)(Image / s)], generator: gen).requires_grad_()).ToArray();
        var n = Batch * Boxes;
        var batchIdx = torch.arange(Batch, ScalarType.Float32).repeat_interleave(Boxes);         // [N]
        var cls = torch.randint(0, Classes, [n, 1], generator: gen).to(ScalarType.Float32);       // [N, 1]
        var centre = torch.rand([n, 2], generator: gen) * 0.8 + 0.1;
        var size = torch.rand([n, 2], generator: gen) * 0.45 + 0.025;
        var targets = new YoloTargets(batchIdx, cls, torch.cat([centre, size], 1));              // [N, 4] normalised xywh
        var loss = new V8DetectionLoss(Classes, Strides);
        double total = double.NaN, referenceTotal = double.NaN;

        void Ours()
        {
            using var s = torch.NewDisposeScope();
            foreach (var f in feats) f.grad?.zero_();
            var r = loss.Compute(feats, targets);
            r.Total.backward();
            total = r.Total.item<double>();
        }
        void Reference()
        {
            using var s = torch.NewDisposeScope();
            foreach (var f in feats) f.grad?.zero_();
            var t = ReferenceLoss(feats, targets);
            t.backward();
            referenceTotal = t.item<double>();
        }
        for (int k = 0; k < warmup; k++) { Ours(); Reference(); }
        var ours = new List<double>(runs);
        var full = new List<double>(runs);
        for (int k = 0; k < runs; k++)
        {
            ours.AddRange(BenchTimer.Measure(Ours, 0, 1));
            full.AddRange(BenchTimer.Measure(Reference, 0, 1));
        }
        var result = new BenchResult { Case = "v8_loss_fwd_bwd_b8_640_t20", RunsMs = ours };
        result.Extra["reference_ms"] = 269;
        result.Extra["speedup_vs_reference"] = Math.Round(269 / result.MedianMs, 3);
        double fullMs = BenchResult.Median(full);
        result.Extra["reference_algorithm_ms"] = Math.Round(fullMs, 6);
        result.Extra["speedup_vs_reference_algorithm"] = Math.Round(fullMs / result.MedianMs, 3);
        result.Extra["loss"] = Math.Round(total, 4);
        result.Extra["reference_algorithm_loss"] = Math.Round(referenceTotal, 4);
        result.Extra["threads"] = torch.get_num_threads();
        return result;
    }

    /// <summary>
    /// v8DetectionLoss as the reference computes it: the same decoding and box loss, the reference's assigner
    /// (<see cref="ReferenceAssign"/>) and the composite BCE-with-logits over every anchor and class.
    /// </summary>
    static Tensor ReferenceLoss(Tensor[] feats, YoloTargets targets)
    {
        long bs = feats[0].shape[0], no = 4 * 16 + Classes;
        var parts = torch.cat(feats.Select(f => f.view(bs, no, -1)).ToArray(), 2).split([64L, Classes], 1);
        var predDistri = parts[0].permute(0, 2, 1).contiguous();                               // [B, A, 64]
        var predScores = parts[1].permute(0, 2, 1).contiguous();                               // [B, A, C]
        var (anchors, stride) = YoloAnchors.MakeAnchors(feats, Strides);
        var padded = targets.Padded(bs, (Image, Image), ScalarType.Float32, Device.CPU);
        var gtLabels = padded.slice(-1, 0, 1);
        var gtBboxes = padded.slice(-1, 1, 5);
        var maskGt = gtBboxes.sum(2, keepdim: true).gt(0).to(ScalarType.Float32);
        var predBboxes = YoloBoxDecoder.TrainBoxes(anchors, predDistri, 16);
        var (fg, targetScores, targetBboxes) = ReferenceAssign(predScores.detach().sigmoid(), predBboxes.detach() * stride,
            anchors * stride, gtLabels, gtBboxes, maskGt, 10);
        var sum = targetScores.sum();
        var scoreSum = sum.item<float>() < 1 ? torch.tensor(1f) : sum;
        var cls = nn.functional.binary_cross_entropy_with_logits(predScores, targetScores, reduction: nn.Reduction.None).sum() / scoreSum;
        var (box, dfl) = new Detection.Losses.BboxLoss(15, useDfl: true)
            .Forward(predDistri, predBboxes, anchors, targetBboxes / stride, targetScores, scoreSum, fg);
        return torch.stack([box * 7.5, cls * 0.5, dfl * 1.5]).sum() * bs;
    }

    static BenchResult Suppression(string name, NmsOptions options, int runs, int warmup)
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(seed: 7680);
        long na = Strides.Sum(s => (long)(Image / s) * (long)(Image / s));
        var centre = torch.rand([Batch, 2, na], generator: gen) * Image;                         // [B, 2, A]
        var size = torch.rand([Batch, 2, na], generator: gen) * 190 + 10;                         // [B, 2, A]
        var scores = (torch.randn([Batch, Classes, na], generator: gen) - 4).sigmoid();           // [B, C, A]
        var prediction = torch.cat([centre, size, scores], 1);                                     // [B, 4 + C, A]
        long kept = 0;

        void Run()
        {
            using var s = torch.NewDisposeScope();
            kept = YoloNms.Apply(prediction, options).Sum(t => t.shape[0]);
        }
        using (var best = scores.amax(1))
        using (var above = best.gt(options.ConfThres))
        {
            var result = new BenchResult { Case = name, RunsMs = BenchTimer.Measure(Run, warmup, runs) };
            result.Extra["conf_thres"] = options.ConfThres;
            result.Extra["candidates"] = above.sum().item<long>();
            result.Extra["kept"] = kept;
            result.Extra["threads"] = torch.get_num_threads();
            return result;
        }
    }

    /// <summary>20 boxes per image: labels [B, n, 1] float, boxes [B, n, 4] xyxy pixels of 16 to 320 px inside the image.</summary>
    static (Tensor Labels, Tensor Boxes) GroundTruth(Generator gen)
    {
        var labels = torch.randint(0, Classes, [Batch, Boxes, 1], generator: gen).to(ScalarType.Float32);
        var size = torch.rand([Batch, Boxes, 2], generator: gen) * 304 + 16;
        var lo = torch.rand([Batch, Boxes, 2], generator: gen) * (Image - size);
        return (labels, torch.cat([lo, lo + size], -1));
    }
}
