using DetrSharp.Detection.Boxes;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// ultralytics' TaskAlignedAssigner (utils/tal.py, as THU-MIG/yolov10 runs it): each ground-truth box takes the
/// <c>topk</c> anchors inside it with the largest alignment s^alpha · u^beta (s the predicted score of the box's
/// class, u the CIoU of the predicted box with it, clamped at 0); an anchor taken by several boxes keeps the one it
/// overlaps most; targets are the box, its label, and a one-hot score scaled so each box's best anchor gets its
/// best IoU.
/// <para>
/// Same outputs as the reference, computed more cheaply: the CIoU and scores are evaluated only on anchors inside a
/// valid box (the reference expands both box sets to [batch, boxes, anchors, 4] and masks them), and after the top-k
/// everything is per anchor ([batch, anchors]) instead of [batch, boxes, anchors]: the assigned box's metric and
/// overlap are gathered, the per-box maxima taken with one scatter-amax, and the one-hot targets written with one
/// scatter. The top-k itself runs on the same dense metric as the reference's, so even its tie order is libtorch's.
/// </para>
/// </summary>
public sealed class TaskAlignedAssigner
{
    /// <summary>Candidates per ground-truth box.</summary>
    public int TopK { get; }
    /// <summary>Number of classes; also the background label of the no-box case.</summary>
    public int NumClasses { get; }
    /// <summary>Exponent of the classification score in the alignment metric.</summary>
    public double Alpha { get; }
    /// <summary>Exponent of the IoU in the alignment metric.</summary>
    public double Beta { get; }
    /// <summary>Added to the per-box metric maximum before dividing.</summary>
    public double Eps { get; }

    /// <summary>The reference's defaults (topk 13, 80 classes, alpha 1, beta 6, eps 1e-9); v8DetectionLoss passes topk 10, alpha 0.5, beta 6.</summary>
    public TaskAlignedAssigner(int topk = 13, int numClasses = 80, double alpha = 1.0, double beta = 6.0, double eps = 1e-9)
    {
        if (topk < 1) throw new ArgumentOutOfRangeException(nameof(topk), topk, "TaskAlignedAssigner: topk must be at least 1");
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "TaskAlignedAssigner: numClasses must be at least 1");
        (TopK, NumClasses, Alpha, Beta, Eps) = (topk, numClasses, alpha, beta, eps);
    }

    /// <summary>Assigns ground-truth boxes to anchors (no gradient is recorded).</summary>
    /// <param name="pdScores">[batch, anchors, classes] predicted scores (after sigmoid).</param>
    /// <param name="pdBboxes">[batch, anchors, 4] predicted boxes, xyxy, same units as the ground truth.</param>
    /// <param name="ancPoints">[anchors, 2] anchor centres, same units.</param>
    /// <param name="gtLabels">[batch, boxes, 1] class indices (float or integer; padded slots any value).</param>
    /// <param name="gtBboxes">[batch, boxes, 4] ground-truth boxes, xyxy.</param>
    /// <param name="maskGt">[batch, boxes, 1] nonzero for real boxes, zero for padding.</param>
    public TaskAlignedAssignment Forward(Tensor pdScores, Tensor pdBboxes, Tensor ancPoints, Tensor gtLabels, Tensor gtBboxes, Tensor maskGt)
        => Forward(pdScores, pdBboxes, ancPoints, gtLabels, gtBboxes, maskGt, scoresAreLogits: false);

    /// <summary>
    /// As <see cref="Forward(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor)"/>; with <paramref name="scoresAreLogits"/>
    /// the scores are logits and the sigmoid is taken only at the scores the metric reads (one per candidate), not
    /// over the whole [batch, anchors, classes] tensor. Any strides are fine (a permuted view is not copied).
    /// </summary>
    internal TaskAlignedAssignment Forward(Tensor pdScores, Tensor pdBboxes, Tensor ancPoints, Tensor gtLabels, Tensor gtBboxes, Tensor maskGt,
        bool scoresAreLogits)
    {
        var (bs, na, nMax) = CheckShapes(pdScores, pdBboxes, ancPoints, gtLabels, gtBboxes, maskGt);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        if (nMax == 0) return Keep(scope, NoBoxes(pdScores, pdBboxes));
        if (na < TopK)
            throw new ArgumentException($"TaskAlignedAssigner: {na} anchors are fewer than topk {TopK}", nameof(pdScores));

        // Anchors inside a real box: [B, n, A].
        var inGts = SelectCandidatesInGts(ancPoints, gtBboxes);
        var candidates = inGts.logical_and(maskGt.ne(0));                                // [B, n, A] bool
        var (alignMetric, overlaps) = BoxMetrics(pdScores, pdBboxes, gtLabels, gtBboxes, candidates, scoresAreLogits);

        // Top-k anchors of each box by metric, kept where the anchor is a candidate.
        var (_, topIdx) = alignMetric.topk(TopK, -1);                                      // [B, n, k]
        var topIsCandidate = candidates.gather(-1, topIdx);                                // [B, n, k] bool
        var (targetGtIdx, fgCount) = AnchorsFromTopK(topIdx, topIsCandidate, na);          // [B, A] each

        // An anchor claimed by several boxes keeps the one it overlaps most (argmax over all boxes, as the reference).
        var multi = fgCount.gt(1);                                                         // [B, A]
        var multiAt = multi.nonzero();                                                     // [M, 2] (b, a)
        if (multiAt.shape[0] > 0)
        {
            var mb = multiAt.select(1, 0);
            var ma = multiAt.select(1, 1);
            var best = overlaps.index(new Tensor?[] { mb, null, ma }).argmax(-1);          // [M]
            targetGtIdx.index_put_(new Tensor?[] { mb, ma }, best);
        }
        var fg = fgCount.gt(0);                                                            // [B, A] bool

        // Targets of the assigned box.
        var slot = targetGtIdx + torch.arange(bs, ScalarType.Int64, pdScores.device).unsqueeze(1) * nMax; // [B, A]
        var targetLabels = gtLabels.to(ScalarType.Int64).flatten().index(new Tensor?[] { slot }).clamp_min(0); // [B, A]
        var targetBboxes = gtBboxes.reshape(-1, 4).index(new Tensor?[] { slot });         // [B, A, 4]

        // Normalised alignment of each foreground anchor: metric · (box's best IoU) / (box's best metric + eps).
        var fgF = fg.to(alignMetric.dtype);
        var gtIdx = targetGtIdx.unsqueeze(1);                                              // [B, 1, A]
        var anchorMetric = alignMetric.gather(1, gtIdx).squeeze(1) * fgF;                  // [B, A]
        var anchorOverlap = overlaps.gather(1, gtIdx).squeeze(1) * fgF;                    // [B, A]
        var boxMetricMax = torch.zeros(new[] { bs, nMax }, alignMetric.dtype, alignMetric.device)
            .scatter_reduce(1, targetGtIdx, anchorMetric, "amax");                         // [B, n]
        var boxOverlapMax = torch.zeros(new[] { bs, nMax }, overlaps.dtype, overlaps.device)
            .scatter_reduce(1, targetGtIdx, anchorOverlap, "amax");                        // [B, n]
        var norm = anchorMetric * boxOverlapMax.gather(1, targetGtIdx) / (boxMetricMax.gather(1, targetGtIdx) + Eps); // [B, A]
        var targetScores = torch.zeros(new[] { bs, na, (long)NumClasses }, pdScores.dtype, pdScores.device)
            .scatter_(2, targetLabels.unsqueeze(-1), norm.unsqueeze(-1).to(pdScores.dtype)); // [B, A, C]

        return Keep(scope, new TaskAlignedAssignment(targetLabels, targetBboxes, targetScores, fg, targetGtIdx));
    }

    /// <summary>
    /// select_candidates_in_gts: whether each anchor centre lies strictly inside each box (its smallest distance
    /// to the four sides is greater than <paramref name="eps"/>). Each of the four distances is compared on its own
    /// (the smallest exceeds eps exactly when all do), over 1-D anchor coordinates so every op runs contiguously
    /// along the anchors.
    /// </summary>
    /// <param name="xyCenters">[anchors, 2].</param>
    /// <param name="gtBboxes">[batch, boxes, 4] xyxy.</param>
    /// <returns>[batch, boxes, anchors] bool.</returns>
    public static Tensor SelectCandidatesInGts(Tensor xyCenters, Tensor gtBboxes, double eps = 1e-9)
    {
        using var scope = torch.NewDisposeScope();
        var ax = xyCenters.select(1, 0).contiguous();                                      // [A]
        var ay = xyCenters.select(1, 1).contiguous();                                      // [A]
        var side = gtBboxes.unsqueeze(-1);                                                 // [B, n, 4, 1]
        var inside = (ax - side.select(2, 0)).gt(eps);                                     // [B, n, A]: x - x1
        inside.mul_((ay - side.select(2, 1)).gt(eps));                             // y - y1
        inside.mul_((side.select(2, 2) - ax).gt(eps));                             // x2 - x
        inside.mul_((side.select(2, 3) - ay).gt(eps));                             // y2 - y
        return scope.MoveToOuter(inside);
    }

    /// <summary>
    /// The reference's top-k mask, select_highest_overlaps' count and mask_pos.argmax(-2) without [B, n, A] tensors:
    /// each box's kept top-k anchors are scattered into per-anchor counts and box indices (an anchor with one box
    /// gets that box; one with several is resolved by the caller). Entries not kept go to a spare column A.
    /// </summary>
    /// <returns>target box index [B, A] int64 (0 where no box) and the number of boxes claiming each anchor [B, A].</returns>
    static (Tensor TargetGtIdx, Tensor Count) AnchorsFromTopK(Tensor topIdx, Tensor kept, long na)
    {
        long bs = topIdx.shape[0], nMax = topIdx.shape[1], k = topIdx.shape[2];
        var column = torch.where(kept, topIdx, torch.full_like(topIdx, na)).view(bs, nMax * k); // [B, n·k]
        var box = torch.arange(nMax, ScalarType.Int64, topIdx.device).view(1, nMax, 1).expand(bs, nMax, k).reshape(bs, nMax * k);
        var ones = torch.ones(new[] { bs, nMax * k }, ScalarType.Int64, topIdx.device);
        var count = torch.zeros(new[] { bs, na + 1 }, ScalarType.Int64, topIdx.device).scatter_add_(1, column, ones);
        var gtIdx = torch.zeros(new[] { bs, na + 1 }, ScalarType.Int64, topIdx.device).scatter_(1, column, box);
        return (gtIdx.slice(1, 0, na).contiguous(), count.slice(1, 0, na).contiguous());   // [B, A] each
    }

    /// <summary>
    /// get_box_metrics: alignment metric and CIoU overlap, [batch, boxes, anchors], zero off the candidates; both
    /// evaluated only at the candidates.
    /// </summary>
    (Tensor AlignMetric, Tensor Overlaps) BoxMetrics(Tensor pdScores, Tensor pdBboxes, Tensor gtLabels, Tensor gtBboxes, Tensor candidates,
        bool scoresAreLogits)
    {
        long nMax = gtBboxes.shape[1], na = pdBboxes.shape[1];
        var where = candidates.nonzero();                                                  // [K, 3] (b, box, anchor)
        var b = where.select(1, 0);
        var g = where.select(1, 1);
        var a = where.select(1, 2);
        var boxSlot = b * nMax + g;                                                        // [K]
        var anchorSlot = b * na + a;                                                       // [K]
        var labels = gtLabels.reshape(-1).to(ScalarType.Int64).index_select(0, boxSlot);  // [K]
        var scores = pdScores.index(new Tensor?[] { b, a, labels });                        // [K]
        if (scoresAreLogits) scores = scores.sigmoid();
        var gtBox = gtBboxes.reshape(-1, 4).index_select(0, boxSlot);                      // [K, 4]
        var pdBox = pdBboxes.reshape(-1, 4).index_select(0, anchorSlot);                   // [K, 4]
        var iou = BboxIou.Compute(gtBox, pdBox, xywh: false, IouMode.Ciou).squeeze(-1).clamp_min(0); // [K]
        var metric = scores.pow(Alpha) * iou.pow(Beta);                                    // [K]

        var overlaps = torch.zeros(candidates.shape, pdBboxes.dtype, pdBboxes.device).masked_scatter_(candidates, iou.to(pdBboxes.dtype));
        var alignMetric = torch.zeros(candidates.shape, metric.dtype, metric.device).masked_scatter_(candidates, metric);
        return (alignMetric, overlaps);                                                    // [B, n, A] each
    }

    TaskAlignedAssignment NoBoxes(Tensor pdScores, Tensor pdBboxes)
    {
        var first = pdScores.select(-1, 0);                                                // [B, A]
        return new TaskAlignedAssignment(
            torch.full_like(first, NumClasses), torch.zeros_like(pdBboxes), torch.zeros_like(pdScores),
            torch.zeros_like(first), torch.zeros_like(first));
    }

    static TaskAlignedAssignment Keep(DisposeScope scope, TaskAlignedAssignment r)
    {
        scope.MoveToOuter(r.TargetLabels, r.TargetBboxes, r.TargetScores, r.FgMask, r.TargetGtIdx);
        return r;
    }

    static (long Batch, long Anchors, long Boxes) CheckShapes(Tensor pdScores, Tensor pdBboxes, Tensor ancPoints, Tensor gtLabels, Tensor gtBboxes, Tensor maskGt)
    {
        static string S(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
        if (pdScores.dim() != 3) throw new ArgumentException($"TaskAlignedAssigner: pd_scores must be [batch, anchors, classes], got {S(pdScores)}", nameof(pdScores));
        long bs = pdScores.shape[0], na = pdScores.shape[1];
        if (pdBboxes.dim() != 3 || pdBboxes.shape[0] != bs || pdBboxes.shape[1] != na || pdBboxes.shape[2] != 4)
            throw new ArgumentException($"TaskAlignedAssigner: pd_bboxes must be [{bs}, {na}, 4], got {S(pdBboxes)}", nameof(pdBboxes));
        if (ancPoints.dim() != 2 || ancPoints.shape[0] != na || ancPoints.shape[1] != 2)
            throw new ArgumentException($"TaskAlignedAssigner: anc_points must be [{na}, 2], got {S(ancPoints)}", nameof(ancPoints));
        if (gtBboxes.dim() != 3 || gtBboxes.shape[0] != bs || gtBboxes.shape[2] != 4)
            throw new ArgumentException($"TaskAlignedAssigner: gt_bboxes must be [{bs}, boxes, 4], got {S(gtBboxes)}", nameof(gtBboxes));
        long n = gtBboxes.shape[1];
        if (gtLabels.dim() != 3 || gtLabels.shape[0] != bs || gtLabels.shape[1] != n || gtLabels.shape[2] != 1)
            throw new ArgumentException($"TaskAlignedAssigner: gt_labels must be [{bs}, {n}, 1], got {S(gtLabels)}", nameof(gtLabels));
        if (maskGt.dim() != 3 || maskGt.shape[0] != bs || maskGt.shape[1] != n || maskGt.shape[2] != 1)
            throw new ArgumentException($"TaskAlignedAssigner: mask_gt must be [{bs}, {n}, 1], got {S(maskGt)}", nameof(maskGt));
        return (bs, na, n);
    }
}
