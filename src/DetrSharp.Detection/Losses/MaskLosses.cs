using DetrSharp.Detection.Matching;
using DetrSharp.Torch;
using static DetrSharp.Torch.nn;

namespace DetrSharp.Detection.Losses;

/// <summary>
/// SetCriterion's loss_masks (DETR segmentation): the matched predicted masks upsampled (bilinear,
/// align_corners=False) to the batch's padded target size, then sigmoid focal and DICE losses.
/// </summary>
internal static class MaskLosses
{
    /// <param name="predMasks">[B, Q, h, w] mask logits.</param>
    public static void Compute(Tensor predMasks, TargetBatch targets, MatchedPairs pairs, double numBoxes, Action<string, Tensor> add)
    {
        var ms = predMasks.shape;
        if (ms.Length != 4)
            throw new ArgumentException($"SetCriterion: pred_masks must be [batch, queries, h, w], got [{string.Join(", ", ms)}]", nameof(predMasks));
        if (pairs.Count == 0)
        {
            // nothing matched: the reference's sums over no rows
            add("loss_mask", torch.zeros([], predMasks.dtype, predMasks.device));
            add("loss_dice", torch.zeros([], predMasks.dtype, predMasks.device));
            return;
        }
        var masks = new Tensor[targets.BatchSize];
        long maxH = 0, maxW = 0;
        for (int b = 0; b < targets.BatchSize; b++)
        {
            masks[b] = targets.Targets[b].Masks
                ?? throw new ArgumentException($"SetCriterion: loss 'masks' needs every target's Masks, image {b} has none", "targets");
            maxH = Math.Max(maxH, masks[b].size(1));
            maxW = Math.Max(maxW, masks[b].size(2));
        }

        // nested_tensor_from_tensor_list: zero-pad every image's masks to the largest H, W, then take the
        // matched targets' rows
        var padded = new Tensor[masks.Length];
        try
        {
            for (int b = 0; b < masks.Length; b++)
            {
                long h = masks[b].size(1), w = masks[b].size(2);
                using var typed = masks[b].to(predMasks.dtype, predMasks.device);
                padded[b] = h == maxH && w == maxW ? typed.alias() : functional.pad(typed, [0, maxW - w, 0, maxH - h]);
            }
            using var all = torch.cat(padded, 0);                            // [N, H, W]
            using var targetMasks = all.index_select(0, pairs.TgtRows);      // [M, H, W]

            using var src = pairs.SelectPredictions(predMasks);              // [M, h, w]
            using var src4 = src.unsqueeze(1);                               // [M, 1, h, w]
            using var up = functional.interpolate(src4, size: [maxH, maxW], mode: InterpolationMode.Bilinear, align_corners: false);
            using var up3 = up.select(1, 0);                                 // [M, H, W]
            using var srcFlat = up3.flatten(1);                              // [M, H·W]
            using var tgtFlat = targetMasks.flatten(1);                      // [M, H·W]
            add("loss_mask", SigmoidFocalLoss.Compute(srcFlat, tgtFlat, numBoxes));
            add("loss_dice", DiceLoss.Compute(srcFlat, tgtFlat, numBoxes));
        }
        finally
        {
            foreach (var p in padded) p?.Dispose();
        }
    }
}
