using DetrSharp.Detection.Boxes;
using DetrSharp.Torch;
using static DetrSharp.Torch.nn;

namespace DetrSharp.Detection.Losses;

/// <summary>
/// SetCriterion's loss_boxes over the matched pairs: L1 on (cx, cy, w, h) and 1 - GIoU (the diagonal of the
/// reference's pairwise matrix, computed aligned), each summed and divided by num_boxes.
/// </summary>
internal static class BoxLosses
{
    /// <param name="predBoxes">[B, Q, 4].</param>
    /// <param name="targetBoxes">[N, 4]: the batch's concatenated target boxes.</param>
    /// <param name="giouEps">0 for DETR, 1e-6 for DINO.</param>
    /// <param name="logComponents">Also give DINO's loss_xy and loss_hw (no grad).</param>
    public static void Compute(Tensor predBoxes, Tensor targetBoxes, MatchedPairs pairs, double numBoxes, double giouEps, bool logComponents,
        Action<string, Tensor> add)
    {
        using var src = pairs.SelectPredictions(predBoxes);                  // [M, 4]
        using var tgt = targetBoxes.index_select(0, pairs.TgtRows);          // [M, 4]
        using var l1 = functional.l1_loss(src, tgt, Reduction.None);         // [M, 4]
        using (var sum = l1.sum()) add("loss_bbox", sum.div(numBoxes));

        using var srcXyxy = BoxConvert.CxcywhToXyxy(src);
        using var tgtXyxy = BoxConvert.CxcywhToXyxy(tgt);
        // the reference asserts x2 >= x1, y2 >= y1 here again; the matcher has already checked every
        // predicted and target box of this layer with the same arithmetic
        using var giou = IouKernel.Giou(srcXyxy, tgtXyxy, aligned: true, giouEps); // [M]
        using var lossGiou = 1 - giou;
        using (var sum = lossGiou.sum()) add("loss_giou", sum.div(numBoxes));

        if (!logComponents) return;
        using var noGrad = torch.no_grad();
        using var xy = l1.slice(-1, 0, 2);
        using var hw = l1.slice(-1, 2, 4);
        using (var sum = xy.sum()) add("loss_xy", sum.div(numBoxes));
        using (var sum = hw.sum()) add("loss_hw", sum.div(numBoxes));
    }
}
