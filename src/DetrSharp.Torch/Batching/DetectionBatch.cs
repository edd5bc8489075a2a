namespace DetrSharp.Torch;

/// <summary>
/// A batch, the one batch type of the pipeline: images padded to the largest in the batch with their padding
/// mask (DETR's NestedTensor), and one <see cref="DetectionTarget"/> per image. Data's collate produces it, every
/// family consumes it. Owns its tensors: dispose it (or move it into a dispose scope) when the step is done.
/// </summary>
public sealed class DetectionBatch : IDisposable
{
    /// <summary>Per-channel mean of the normalised images (ImageNet's, as torchvision's Normalize in DETR's transforms).</summary>
    public static readonly float[] PixelMean = { 0.485f, 0.456f, 0.406f };
    /// <summary>Per-channel standard deviation of the normalised images.</summary>
    public static readonly float[] PixelStd = { 0.229f, 0.224f, 0.225f };

    /// <summary>Normalised images and padding mask.</summary>
    public required NestedTensor Samples { get; init; }
    public required IReadOnlyList<DetectionTarget> Targets { get; init; }
    /// <summary>Which epoch and batch position this is (for logs and exact resume).</summary>
    public int Epoch { get; init; }
    public int Position { get; init; }
    /// <summary>Samples left out of this batch because they could not be read (skip mode only).</summary>
    public IReadOnlyList<string> Skipped { get; init; } = Array.Empty<string>();

    /// <summary>Normalised images ((RGB / 255 - <see cref="PixelMean"/>) / <see cref="PixelStd"/>), float32 <c>[batch, 3, H, W]</c>, zero on padding.</summary>
    public Tensor Images => Samples.Tensors;
    /// <summary>True on padding, bool <c>[batch, H, W]</c>.</summary>
    public Tensor Mask => Samples.Mask!;
    public int Count => Targets.Count;

    /// <summary>Each image's stored size, as the post-processors take it: int64 <c>[batch, 2]</c> (height, width).</summary>
    public Tensor OriginalSizes(Device device)
        => torch.tensor(Targets.SelectMany(t => new long[] { t.OriginalSize.Height, t.OriginalSize.Width }).ToArray(), [Count, 2], device: device);
    public Device Device => Samples.Tensors.device;

    /// <summary>
    /// The batch on <paramref name="device"/>: images, mask and targets copied there (this batch keeps its own
    /// tensors). On the device it is already on, a batch of aliases.
    /// </summary>
    public DetectionBatch To(Device device) => new()
    {
        Samples = Samples.To(device),
        Targets = Targets.Select(t => t.To(device)).ToList(),
        Epoch = Epoch, Position = Position, Skipped = Skipped,
    };

    public void Dispose()
    {
        Samples.Dispose();
        foreach (var t in Targets) t.Dispose();
    }
}
