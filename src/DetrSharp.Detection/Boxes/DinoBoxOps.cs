using DetrSharp.Torch;

namespace DetrSharp.Detection.Boxes;

/// <summary>
/// DINO's util/box_ops.py: as <see cref="BoxOps"/> (DETR) but with <see cref="Eps"/> added to the IoU
/// denominator (inter / (union + 1e-6)) and to the GIoU one ((area - union) / (area + 1e-6)), so two
/// identical zero-area boxes give 0 instead of NaN. The conversions are DETR's (<see cref="BoxOps"/>).
/// DINO's row-aligned "pairwise" functions keep DETR's arithmetic without the epsilon.
/// </summary>
public static class DinoBoxOps
{
    /// <summary>The 1e-6 DINO adds to the IoU and GIoU denominators.</summary>
    public const double Eps = 1e-6;

    /// <summary>box_iou with the epsilon: iou and union, both [..., N, M].</summary>
    /// <param name="boxes1">[..., N, 4] corner-format boxes.</param>
    /// <param name="boxes2">[..., M, 4] corner-format boxes.</param>
    public static (Tensor Iou, Tensor Union) BoxIou(Tensor boxes1, Tensor boxes2)
    {
        BoxChecks.Pairwise(boxes1, boxes2, "box_iou");
        return IouKernel.Iou(boxes1, boxes2, aligned: false, eps: Eps);
    }

    /// <summary>generalized_box_iou with the epsilon: [..., N, M].</summary>
    /// <param name="boxes1">[..., N, 4] corner-format boxes with x2 ≥ x1, y2 ≥ y1.</param>
    /// <param name="boxes2">[..., M, 4] corner-format boxes with x2 ≥ x1, y2 ≥ y1.</param>
    /// <exception cref="ArgumentException">A box is degenerate (the reference's assert).</exception>
    public static Tensor GeneralizedBoxIou(Tensor boxes1, Tensor boxes2)
    {
        BoxChecks.Pairwise(boxes1, boxes2, "generalized_box_iou");
        BoxChecks.NotDegenerate(boxes1, nameof(boxes1), "generalized_box_iou");
        BoxChecks.NotDegenerate(boxes2, nameof(boxes2), "generalized_box_iou");
        return IouKernel.Giou(boxes1, boxes2, aligned: false, eps: Eps);
    }

    /// <summary>
    /// diag(generalized_box_iou(boxes1, boxes2)) at O(N): the GIoU, with the epsilon, of row-aligned pairs,
    /// as DINO's loss_boxes computes it.
    /// </summary>
    /// <param name="boxes1">[..., N, 4] corner-format boxes.</param>
    /// <param name="boxes2">[..., N, 4] corner-format boxes.</param>
    /// <returns>[..., N] GIoU.</returns>
    /// <exception cref="ArgumentException">A box is degenerate.</exception>
    public static Tensor GeneralizedBoxIouAligned(Tensor boxes1, Tensor boxes2)
    {
        BoxChecks.Aligned(boxes1, boxes2, "generalized_box_iou");
        BoxChecks.NotDegenerate(boxes1, nameof(boxes1), "generalized_box_iou");
        BoxChecks.NotDegenerate(boxes2, nameof(boxes2), "generalized_box_iou");
        return IouKernel.Giou(boxes1, boxes2, aligned: true, eps: Eps);
    }

    /// <summary>
    /// DINO's box_iou_pairwise: IoU and union of row-aligned pairs, both [..., N]. As in DINO, this one has
    /// no epsilon (it is DETR's aligned IoU).
    /// </summary>
    /// <param name="boxes1">[..., N, 4] corner-format boxes.</param>
    /// <param name="boxes2">[..., N, 4] corner-format boxes.</param>
    public static (Tensor Iou, Tensor Union) BoxIouPairwise(Tensor boxes1, Tensor boxes2)
    {
        BoxChecks.Aligned(boxes1, boxes2, "box_iou_pairwise");
        return IouKernel.Iou(boxes1, boxes2, aligned: true, eps: 0);
    }

    /// <summary>
    /// DINO's generalized_box_iou_pairwise: GIoU of row-aligned pairs, [..., N]. As in DINO, this one has
    /// no epsilon.
    /// </summary>
    /// <param name="boxes1">[..., N, 4] corner-format boxes.</param>
    /// <param name="boxes2">[..., N, 4] corner-format boxes.</param>
    /// <exception cref="ArgumentException">A box is degenerate.</exception>
    public static Tensor GeneralizedBoxIouPairwise(Tensor boxes1, Tensor boxes2)
    {
        BoxChecks.Aligned(boxes1, boxes2, "generalized_box_iou_pairwise");
        BoxChecks.NotDegenerate(boxes1, nameof(boxes1), "generalized_box_iou_pairwise");
        BoxChecks.NotDegenerate(boxes2, nameof(boxes2), "generalized_box_iou_pairwise");
        return IouKernel.Giou(boxes1, boxes2, aligned: true, eps: 0);
    }
}
