using DetrSharp.Assignment;
using DetrSharp.Detection.Boxes;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// mmdetection 2.x's HungarianAssigner for one image: cost = class cost + L1 cost on normalised boxes +
/// IoU cost on pixel boxes, solved by linear sum assignment; each prediction is then background (0) or
/// the 1-based index of its ground truth.
/// </summary>
/// <remarks>
/// Predictions are normalised (cx, cy, w, h); ground truths are pixel (x1, y1, x2, y2). As in mmdetection the
/// ground truths are divided by the image size [w, h, w, h] for the L1 cost, and the predictions are
/// converted to corners and multiplied by it for the IoU cost.
/// </remarks>
public sealed class HungarianAssigner
{
    /// <summary>Creates the assigner; the defaults are mmdetection's (all weights 1, GIoU).</summary>
    public HungarianAssigner(IClassMatchCost? clsCost = null, BBoxL1Cost? regCost = null, IoUCost? iouCost = null)
    {
        ClsCost = clsCost ?? new ClassificationCost(1.0);
        RegCost = regCost ?? new BBoxL1Cost(1.0);
        IouCost = iouCost ?? new IoUCost(IouMode.Giou, 1.0);
    }

    /// <summary>The classification cost.</summary>
    public IClassMatchCost ClsCost { get; }

    /// <summary>The L1 box cost.</summary>
    public BBoxL1Cost RegCost { get; }

    /// <summary>The IoU cost.</summary>
    public IoUCost IouCost { get; }

    /// <summary>The weighted cost matrix the assignment solves (no grad).</summary>
    /// <param name="bboxPred">[num_query, 4] normalised (cx, cy, w, h) predictions.</param>
    /// <param name="clsPred">[num_query, classes] logits.</param>
    /// <param name="gtBboxes">[num_gt, 4] pixel (x1, y1, x2, y2) ground truths.</param>
    /// <param name="gtLabels">[num_gt] int64 labels.</param>
    /// <param name="imageHeight">The image's height (img_shape[0]).</param>
    /// <param name="imageWidth">The image's width (img_shape[1]).</param>
    /// <returns>[num_query, num_gt].</returns>
    public Tensor Cost(Tensor bboxPred, Tensor clsPred, Tensor gtBboxes, Tensor gtLabels, double imageHeight, double imageWidth)
    {
        Check(bboxPred, clsPred, gtBboxes, gtLabels);
        using var noGrad = torch.no_grad();
        using var factor = torch.tensor(new[] { imageWidth, imageHeight, imageWidth, imageHeight }, [1, 4], gtBboxes.dtype, gtBboxes.device); // [1, 4]
        using var clsCost = ClsCost.Compute(clsPred, gtLabels);                 // [num_query, num_gt]
        using var normalizedGt = gtBboxes / factor;                              // [num_gt, 4]
        using var regCost = RegCost.Compute(bboxPred, normalizedGt);             // [num_query, num_gt]
        using var predXyxy = BoxConvert.CxcywhToXyxy(bboxPred);
        using var bboxes = predXyxy * factor;                                     // [num_query, 4] pixels
        using var iouCost = IouCost.Compute(bboxes, gtBboxes);                    // [num_query, num_gt]
        using var sum = clsCost + regCost;
        return sum + iouCost;
    }

    /// <summary>Assigns each prediction to a ground truth or to the background.</summary>
    /// <inheritdoc cref="Cost"/>
    /// <returns>gt indices (1-based, 0 background) and labels (-1 unmatched) per prediction.</returns>
    public AssignResult Assign(Tensor bboxPred, Tensor clsPred, Tensor gtBboxes, Tensor gtLabels, double imageHeight, double imageWidth)
    {
        Check(bboxPred, clsPred, gtBboxes, gtLabels);
        int numGts = (int)gtBboxes.size(0), numBboxes = (int)bboxPred.size(0);
        var gtInds = new long[numBboxes];
        var labels = new long[numBboxes];
        Array.Fill(labels, -1L);
        if (numGts == 0 || numBboxes == 0)
        {
            // no ground truth: everything is background; no predictions: nothing to assign (-1)
            Array.Fill(gtInds, numGts == 0 ? 0L : -1L);
            return new AssignResult(numGts, gtInds, labels);
        }

        using var cost = Cost(bboxPred, clsPred, gtBboxes, gtLabels, imageHeight, imageWidth);
        using var host = cost.to(ScalarType.Float32, Device.CPU);
        var values = host.data<float>();
        Assignment.Assignment matched;
        try
        {
            matched = LinearSumAssignment.Solve(values, numBboxes, numGts);
        }
        catch (CostMatrixException e)
        {
            throw new ArgumentException($"HungarianAssigner: the cost matrix was refused (NaN or infinite predictions?): {e.Reason}", e);
        }
        using var cpuLabels = gtLabels.to(ScalarType.Int64, Device.CPU);
        var gtLabelValues = cpuLabels.data<long>();
        for (int k = 0; k < matched.Count; k++)
        {
            gtInds[matched.Rows[k]] = matched.Cols[k] + 1;
            labels[matched.Rows[k]] = gtLabelValues[matched.Cols[k]];
        }
        return new AssignResult(numGts, gtInds, labels);
    }

    static void Check(Tensor bboxPred, Tensor clsPred, Tensor gtBboxes, Tensor gtLabels)
    {
        ArgumentNullException.ThrowIfNull(bboxPred);
        ArgumentNullException.ThrowIfNull(clsPred);
        ArgumentNullException.ThrowIfNull(gtBboxes);
        ArgumentNullException.ThrowIfNull(gtLabels);
        var p = bboxPred.shape;
        var c = clsPred.shape;
        var g = gtBboxes.shape;
        var l = gtLabels.shape;
        if (p.Length != 2 || p[1] != 4)
            throw new ArgumentException($"HungarianAssigner: bbox_pred must be [num_query, 4], got [{string.Join(", ", p)}]", nameof(bboxPred));
        if (c.Length != 2 || c[0] != p[0])
            throw new ArgumentException($"HungarianAssigner: cls_pred must be [num_query = {p[0]}, classes], got [{string.Join(", ", c)}]", nameof(clsPred));
        if (g.Length != 2 || g[1] != 4)
            throw new ArgumentException($"HungarianAssigner: gt_bboxes must be [num_gt, 4], got [{string.Join(", ", g)}]", nameof(gtBboxes));
        if (l.Length != 1 || l[0] != g[0])
            throw new ArgumentException($"HungarianAssigner: gt_labels must be [num_gt = {g[0]}], got [{string.Join(", ", l)}]", nameof(gtLabels));
    }
}
