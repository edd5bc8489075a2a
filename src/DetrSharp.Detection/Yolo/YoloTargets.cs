using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// A batch's boxes as the ultralytics dataloader gives them to the loss: one row per box over the whole batch.
/// </summary>
/// <param name="BatchIdx">[boxes] image index of each box (float or integer).</param>
/// <param name="Cls">[boxes, 1] or [boxes] class index (float or integer).</param>
/// <param name="Bboxes">[boxes, 4] normalised (cx, cy, w, h) in [0, 1].</param>
public sealed record YoloTargets(Tensor BatchIdx, Tensor Cls, Tensor Bboxes)
{
    /// <summary>
    /// v8DetectionLoss.preprocess: the boxes grouped by image into [batch, max boxes per image, 5] (class, x1, y1,
    /// x2, y2 in pixels of <paramref name="imageHw"/>), zero-padded, in their order within each image. The padded
    /// slot count is the largest count of any image index present, as the reference's unique(return_counts).
    /// </summary>
    public Tensor Padded(long batchSize, (double H, double W) imageHw, ScalarType dtype, Device device)
    {
        long n = BatchIdx.numel();
        if (Bboxes.dim() != 2 || Bboxes.shape[0] != n || Bboxes.shape[1] != 4 || Cls.numel() != n)
            throw new ArgumentException(
                $"YOLO targets: batch_idx [{string.Join(", ", BatchIdx.shape)}], cls [{string.Join(", ", Cls.shape)}] and bboxes [{string.Join(", ", Bboxes.shape)}] must describe the same boxes ([N], [N, 1], [N, 4])");
        if (n == 0) return torch.zeros(new[] { batchSize, 0L, 5L }, dtype, device);

        using var scope = torch.NewDisposeScope();
        var image = BatchIdx.to(ScalarType.Float64, Device.CPU).contiguous().data<double>();
        var counts = new Dictionary<double, long>();
        var keepRows = new List<long>();
        var keepImage = new List<long>();
        var keepSlot = new List<long>();
        for (int i = 0; i < image.Length; i++)
        {
            counts.TryGetValue(image[i], out var c);
            counts[image[i]] = c + 1;
            long j = (long)image[i];
            if (j >= 0 && j < batchSize && image[i] == j)
            {
                keepRows.Add(i);
                keepImage.Add(j);
                keepSlot.Add(c);
            }
        }
        long nMax = counts.Values.Max();

        var rows = torch.cat(new[] { Cls.reshape(-1, 1).to(dtype, device), Bboxes.to(dtype, device) }, 1); // [N, 5]
        var picked = rows.index_select(0, torch.tensor(keepRows.ToArray(), device: device));                 // [K, 5]
        var outT = torch.zeros(new[] { batchSize, nMax, 5L }, dtype, device);
        outT.index_put_(new Tensor?[] { torch.tensor(keepImage.ToArray(), device: device), torch.tensor(keepSlot.ToArray(), device: device) }, picked);
        var scale = torch.tensor(new[] { imageHw.W, imageHw.H, imageHw.W, imageHw.H }, dtype: dtype, device: device); // [4]
        var xyxy = Boxes.BoxConvert.CxcywhToXyxy(outT.slice(-1, 1, 5) * scale);             // [B, nMax, 4]
        return scope.MoveToOuter(torch.cat(new[] { outT.slice(-1, 0, 1), xyxy }, -1));     // [B, nMax, 5]
    }
}
