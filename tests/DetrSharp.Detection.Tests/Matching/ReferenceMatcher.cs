using DetrSharp.Assignment;
using DetrSharp.Detection.Boxes;
using DetrSharp.Detection.Matching;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Matching;

/// <summary>
/// The reference HungarianMatcher.forward transliterated op for op (DETR's and DINO's matcher.py): costs of
/// all B·Q queries against all N targets of the batch, then each image's block, solved one at a time.
/// </summary>
internal static class ReferenceMatcher
{
    /// <returns>Per image: the [Q × n] block (row-major) and scipy's (row, col) pairs.</returns>
    public static (float[] Cost, Assignment.Assignment Match)[] Run(HungarianMatcherOptions o, Tensor predLogits, Tensor predBoxes,
        IReadOnlyList<DetectionTarget> targets)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var s = predLogits.shape;
        var outLogits = predLogits.flatten(0, 1);                                // [B·Q, C]
        var outBbox = predBoxes.flatten(0, 1);                                   // [B·Q, 4]
        var tgtIds = torch.cat(targets.Select(t => t.Labels).ToArray());         // [N]
        var tgtBbox = torch.cat(targets.Select(t => t.Boxes).ToArray());         // [N, 4]
        Tensor costClass;
        if (o.ClassCost == MatchClassCostKind.Softmax)
            costClass = -outLogits.softmax(-1).index_select(1, tgtIds);
        else
        {
            var p = outLogits.sigmoid();
            var neg = (1 - o.FocalAlpha) * p.pow(o.FocalGamma) * -(1 - p + o.FocalEps).log();
            var pos = o.FocalAlpha * (1 - p).pow(o.FocalGamma) * -(p + o.FocalEps).log();
            costClass = pos.index_select(1, tgtIds) - neg.index_select(1, tgtIds);
        }
        var costBbox = torch.cdist(outBbox, tgtBbox, 1.0);
        var a = BoxOps.CxcywhToXyxy(outBbox);
        var b = BoxOps.CxcywhToXyxy(tgtBbox);
        var giou = o.GiouEps == 0 ? BoxOps.GeneralizedBoxIou(a, b) : DinoBoxOps.GeneralizedBoxIou(a, b);
        var c = o.CostBbox * costBbox + o.CostClass * costClass + o.CostGiou * -giou;
        var all = c.view(s[0], s[1], -1);                                        // [B, Q, N]
        var result = new (float[], Assignment.Assignment)[targets.Count];
        int start = 0;
        for (int i = 0; i < targets.Count; i++)
        {
            int n = targets[i].Count;
            var block = all.select(0, i).slice(1, start, start + n).contiguous().data<float>(); // [Q, n]
            result[i] = (block, LinearSumAssignment.Solve(block, (int)s[1], n));
            start += n;
        }
        return result;
    }
}
