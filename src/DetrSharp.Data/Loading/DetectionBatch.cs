using DetrSharp.Torch;

namespace DetrSharp.Data.Loading;

/// <summary>One image's targets as tensors, as DETR's criterion takes them.</summary>
public sealed class TargetTensors : IDisposable
{
    /// <summary>Contiguous labels, int64 <c>[n]</c>.</summary>
    public required Tensor Labels { get; init; }
    /// <summary>Boxes as normalised cxcywh (divided by the transformed image's w, h), float32 <c>[n, 4]</c>.</summary>
    public required Tensor Boxes { get; init; }
    public required long ImageId { get; init; }
    /// <summary>Size of the image as stored (height, width): predictions are scaled back to it.</summary>
    public required (int Height, int Width) OriginalSize { get; init; }
    /// <summary>Size after the transforms (height, width), before padding.</summary>
    public required (int Height, int Width) Size { get; init; }

    public void Dispose()
    {
        Labels.Dispose();
        Boxes.Dispose();
    }
}

/// <summary>
/// A batch: images padded to the largest in the batch with a padding mask (DETR's NestedTensor), and
/// the targets. Owns its tensors: dispose it (or move it into a dispose scope) when the step is done.
/// </summary>
public sealed class DetectionBatch : IDisposable
{
    /// <summary>Normalised images, float32 <c>[batch, 3, H, W]</c>, zero on padding.</summary>
    public required Tensor Images { get; init; }
    /// <summary>True on padding, bool <c>[batch, H, W]</c>.</summary>
    public required Tensor Mask { get; init; }
    public required IReadOnlyList<TargetTensors> Targets { get; init; }
    /// <summary>Which epoch and batch position this is (for logs and exact resume).</summary>
    public int Epoch { get; init; }
    public int Position { get; init; }
    /// <summary>Samples left out of this batch because they could not be read (skip mode only).</summary>
    public IReadOnlyList<string> Skipped { get; init; } = Array.Empty<string>();

    public int Count => Targets.Count;

    public void Dispose()
    {
        Images.Dispose();
        Mask.Dispose();
        foreach (var t in Targets) t.Dispose();
    }
}
