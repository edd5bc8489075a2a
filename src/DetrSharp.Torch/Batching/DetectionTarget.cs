namespace DetrSharp.Torch;

/// <summary>
/// The ground truth of one image, the one target type of the pipeline: Data's collate makes it, every family's
/// matcher, assigner and criterion reads it. Class labels and boxes (normalised centre format), optionally instance
/// masks, and where the image came from (id, stored size, size after the transforms). Owns its tensors when made by
/// collate (dispose it, or the batch that holds it); tests that build one inside a dispose scope need not.
/// </summary>
public sealed class DetectionTarget : IDisposable
{
    /// <summary>Creates a target, checking the shapes.</summary>
    /// <param name="labels">[n] int64 class indices.</param>
    /// <param name="boxes">[n, 4] boxes (cx, cy, w, h), normalised by the image size.</param>
    /// <param name="masks">[n, H, W] instance masks, or null.</param>
    /// <exception cref="ArgumentException">A shape or dtype does not fit.</exception>
    public DetectionTarget(Tensor labels, Tensor boxes, Tensor? masks = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(boxes);
        var ls = labels.shape;
        var bs = boxes.shape;
        if (ls.Length != 1)
            throw new ArgumentException($"DetectionTarget: labels must be [n], got [{string.Join(", ", ls)}]", nameof(labels));
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"DetectionTarget: labels must be int64 class indices, got {labels.dtype}", nameof(labels));
        if (bs.Length != 2 || bs[1] != 4 || bs[0] != ls[0])
            throw new ArgumentException($"DetectionTarget: boxes must be [n, 4] with n = {ls[0]} labels, got [{string.Join(", ", bs)}]", nameof(boxes));
        if (masks is not null)
        {
            var ms = masks.shape;
            if (ms.Length != 3 || ms[0] != ls[0])
                throw new ArgumentException($"DetectionTarget: masks must be [n, H, W] with n = {ls[0]}, got [{string.Join(", ", ms)}]", nameof(masks));
        }
        Labels = labels;
        Boxes = boxes;
        Masks = masks;
        Count = (int)ls[0];
    }

    /// <summary>[n] int64 class indices.</summary>
    public Tensor Labels { get; }

    /// <summary>[n, 4] normalised (cx, cy, w, h) boxes.</summary>
    public Tensor Boxes { get; }

    /// <summary>[n, H, W] instance masks, or null.</summary>
    public Tensor? Masks { get; }

    /// <summary>n: the number of objects.</summary>
    public int Count { get; }

    /// <summary>The image's id in its dataset (0 when not from a dataset).</summary>
    public long ImageId { get; init; }

    /// <summary>Size of the image as stored (height, width): predictions are scaled back to it.</summary>
    public (int Height, int Width) OriginalSize { get; init; }

    /// <summary>Size after the transforms (height, width), before padding: the pixels the normalised boxes refer to.</summary>
    public (int Height, int Width) Size { get; init; }

    /// <summary>
    /// Where the stored image lies in the transformed one when a transform padded it (YOLO's letterbox): (left, top,
    /// width, height) in pixels of <see cref="Size"/>; null when it fills all of <see cref="Size"/>.
    /// </summary>
    public (int Left, int Top, int Width, int Height)? Content { get; init; }

    /// <summary>
    /// How a point in pixels of the transformed image maps to the stored image: stored = (p − offset) × scale, per axis.
    /// The one mapping predictions take back to <see cref="OriginalSize"/> (scale 1 when the sizes are unknown).
    /// </summary>
    public (float ScaleX, float ScaleY, float OffsetX, float OffsetY) ToStoredPixels()
    {
        var c = Content ?? (0, 0, Size.Width, Size.Height);
        float sx = c.Width > 0 && OriginalSize.Width > 0 ? (float)OriginalSize.Width / c.Width : 1;
        float sy = c.Height > 0 && OriginalSize.Height > 0 ? (float)OriginalSize.Height / c.Height : 1;
        return (sx, sy, c.Left, c.Top);
    }

    /// <summary>The same target with its tensors on <paramref name="device"/> (aliases when already there).</summary>
    public DetectionTarget To(Device device)
    {
        bool here = Labels.device == device && Boxes.device == device;
        return new DetectionTarget(here ? Labels.alias() : Labels.to(device), here ? Boxes.alias() : Boxes.to(device), Masks?.to(device))
        {
            ImageId = ImageId, OriginalSize = OriginalSize, Size = Size, Content = Content,
        };
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        Labels.Dispose();
        Boxes.Dispose();
        Masks?.Dispose();
    }
}
