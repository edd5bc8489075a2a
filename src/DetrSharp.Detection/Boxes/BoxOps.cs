using DetrSharp.Torch;

namespace DetrSharp.Detection.Boxes;

/// <summary>
/// DETR's util/box_ops.py: IoU and generalized IoU of corner-format (x1, y1, x2, y2) boxes with no
/// epsilon, as the reference (two identical zero-area boxes give NaN). Pairwise forms take [..., N, 4] and
/// [..., M, 4] and give [..., N, M]; aligned forms pair row i with row i and give [..., N] (the diagonal of
/// the pairwise matrix, at O(N) cost). The GIoU forms refuse degenerate boxes (x2 &lt; x1 or y2 &lt; y1) as
/// the reference asserts. For DINO's variant (1e-6 in the denominators) see <see cref="DinoBoxOps"/>.
/// </summary>
public static class BoxOps
{
    /// <summary>box_cxcywh_to_xyxy: [..., 4] → [..., 4].</summary>
    public static Tensor CxcywhToXyxy(Tensor boxes) => BoxConvert.CxcywhToXyxy(boxes);

    /// <summary>box_xyxy_to_cxcywh: [..., 4] → [..., 4].</summary>
    public static Tensor XyxyToCxcywh(Tensor boxes) => BoxConvert.XyxyToCxcywh(boxes);

    /// <summary>box_area: [..., 4] → [...].</summary>
    public static Tensor BoxArea(Tensor boxes) => BoxConvert.Area(boxes);

    /// <summary>box_iou: IoU and union of every pair.</summary>
    /// <param name="boxes1">[..., N, 4] corner-format boxes.</param>
    /// <param name="boxes2">[..., M, 4] corner-format boxes.</param>
    /// <returns>iou and union, both [..., N, M].</returns>
    public static (Tensor Iou, Tensor Union) BoxIou(Tensor boxes1, Tensor boxes2)
    {
        BoxChecks.Pairwise(boxes1, boxes2, "box_iou");
        return IouKernel.Iou(boxes1, boxes2, aligned: false, eps: 0);
    }

    /// <summary>generalized_box_iou of every pair.</summary>
    /// <param name="boxes1">[..., N, 4] corner-format boxes with x2 ≥ x1, y2 ≥ y1.</param>
    /// <param name="boxes2">[..., M, 4] corner-format boxes with x2 ≥ x1, y2 ≥ y1.</param>
    /// <returns>[..., N, M] GIoU in [-1, 1].</returns>
    /// <exception cref="ArgumentException">A box is degenerate (the reference's assert).</exception>
    public static Tensor GeneralizedBoxIou(Tensor boxes1, Tensor boxes2)
    {
        BoxChecks.Pairwise(boxes1, boxes2, "generalized_box_iou");
        BoxChecks.NotDegenerate(boxes1, nameof(boxes1), "generalized_box_iou");
        BoxChecks.NotDegenerate(boxes2, nameof(boxes2), "generalized_box_iou");
        return IouKernel.Giou(boxes1, boxes2, aligned: false, eps: 0);
    }

    /// <summary>IoU and union of row-aligned pairs (box i of boxes1 with box i of boxes2).</summary>
    /// <param name="boxes1">[..., N, 4] corner-format boxes.</param>
    /// <param name="boxes2">[..., N, 4] corner-format boxes.</param>
    /// <returns>iou and union, both [..., N].</returns>
    public static (Tensor Iou, Tensor Union) BoxIouAligned(Tensor boxes1, Tensor boxes2)
    {
        BoxChecks.Aligned(boxes1, boxes2, "box_iou_aligned");
        return IouKernel.Iou(boxes1, boxes2, aligned: true, eps: 0);
    }

    /// <summary>GIoU of row-aligned pairs: the diagonal of <see cref="GeneralizedBoxIou"/> for equal counts.</summary>
    /// <param name="boxes1">[..., N, 4] corner-format boxes.</param>
    /// <param name="boxes2">[..., N, 4] corner-format boxes.</param>
    /// <returns>[..., N] GIoU.</returns>
    /// <exception cref="ArgumentException">A box is degenerate.</exception>
    public static Tensor GeneralizedBoxIouAligned(Tensor boxes1, Tensor boxes2)
    {
        BoxChecks.Aligned(boxes1, boxes2, "generalized_box_iou_aligned");
        BoxChecks.NotDegenerate(boxes1, nameof(boxes1), "generalized_box_iou_aligned");
        BoxChecks.NotDegenerate(boxes2, nameof(boxes2), "generalized_box_iou_aligned");
        return IouKernel.Giou(boxes1, boxes2, aligned: true, eps: 0);
    }
}
