using DetrSharp.Detection.Boxes;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// A batch's targets gathered once for the matcher and the losses: every image's labels and boxes
/// concatenated (as the reference's torch.cat), and the same padded to the largest count per image
/// ([batch, T]) so that each image's cost block is computed against its own targets only.
/// Owns the tensors it made (outside any dispose scope): dispose it.
/// </summary>
public sealed class TargetBatch : IDisposable
{
    readonly List<Tensor> _owned = new();
    Tensor? _paddedXyxy;
    bool _boxesChecked;

    TargetBatch(IReadOnlyList<DetectionTarget> targets, Device device, ScalarType boxDtype)
    {
        Targets = targets;
        BatchSize = targets.Count;
        Counts = new int[BatchSize];
        Offsets = new int[BatchSize];
        int total = 0, max = 0;
        for (int b = 0; b < BatchSize; b++)
        {
            var t = targets[b] ?? throw new ArgumentException($"TargetBatch: targets[{b}] is null", nameof(targets));
            Offsets[b] = total;
            Counts[b] = t.Count;
            total += t.Count;
            max = Math.Max(max, t.Count);
        }
        Total = total;
        MaxCount = max;

        Labels = Own(Concat(targets.Select(t => t.Labels).ToArray(), ScalarType.Int64, device, [0]));      // [N]
        Boxes = Own(Concat(targets.Select(t => t.Boxes).ToArray(), boxDtype, device, [0, 4]));              // [N, 4]

        if (Total == 0 || Counts.All(c => c == MaxCount))
        {
            PaddedLabels = Own(Labels.view(BatchSize, MaxCount));                                             // [B, T]
            PaddedBoxes = Own(Boxes.view(BatchSize, MaxCount, 4));                                            // [B, T, 4]
        }
        else
        {
            // Slot (b, t) reads target Offsets[b] + t; slots past an image's count repeat a real target of
            // the batch (their costs are computed and then ignored).
            var slots = new long[BatchSize * MaxCount];
            for (int b = 0; b < BatchSize; b++)
                for (int t = 0; t < MaxCount; t++)
                    slots[b * MaxCount + t] = t < Counts[b] ? Offsets[b] + t : 0;
            using var index = torch.tensor(slots, [slots.Length], ScalarType.Int64, device);
            using var labels = Labels.index_select(0, index);
            using var boxes = Boxes.index_select(0, index);
            PaddedLabels = Own(labels.view(BatchSize, MaxCount));
            PaddedBoxes = Own(boxes.view(BatchSize, MaxCount, 4));
        }
    }

    /// <summary>Gathers the targets of a batch onto a device, boxes in the predictions' dtype.</summary>
    /// <param name="targets">One target per image.</param>
    /// <param name="device">The predictions' device.</param>
    /// <param name="boxDtype">The predictions' floating dtype.</param>
    public static TargetBatch Create(IReadOnlyList<DetectionTarget> targets, Device device, ScalarType boxDtype)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return new TargetBatch(targets, device, boxDtype);
    }

    /// <summary>The per-image targets this batch was made from.</summary>
    public IReadOnlyList<DetectionTarget> Targets { get; }

    /// <summary>Number of images.</summary>
    public int BatchSize { get; }

    /// <summary>Targets per image.</summary>
    public int[] Counts { get; }

    /// <summary>Index of each image's first target in <see cref="Labels"/> / <see cref="Boxes"/>.</summary>
    public int[] Offsets { get; }

    /// <summary>Targets in the batch.</summary>
    public int Total { get; }

    /// <summary>T: the largest count of one image.</summary>
    public int MaxCount { get; }

    /// <summary>[N] int64: every image's labels, concatenated.</summary>
    public Tensor Labels { get; }

    /// <summary>[N, 4]: every image's (cx, cy, w, h) boxes, concatenated.</summary>
    public Tensor Boxes { get; }

    /// <summary>[B, T] int64: labels padded per image (padding slots hold some real label).</summary>
    public Tensor PaddedLabels { get; }

    /// <summary>[B, T, 4]: boxes padded per image (padding slots hold some real box).</summary>
    public Tensor PaddedBoxes { get; }

    /// <summary>[B, T, 4]: <see cref="PaddedBoxes"/> in corner format, checked once for degenerate boxes.</summary>
    internal Tensor PaddedBoxesXyxy(string op)
    {
        if (_paddedXyxy is null)
        {
            _paddedXyxy = Own(BoxConvert.CxcywhToXyxy(PaddedBoxes));
        }
        if (!_boxesChecked)
        {
            BoxChecks.NotDegenerate(_paddedXyxy, "target boxes (as xyxy)", op);
            _boxesChecked = true;
        }
        return _paddedXyxy;
    }

    Tensor Own(Tensor t)
    {
        t.DetachFromDisposeScope();
        _owned.Add(t);
        return t;
    }

    static Tensor Concat(Tensor[] parts, ScalarType dtype, Device device, long[] emptyShape)
    {
        if (parts.Length == 0) return torch.zeros(emptyShape, dtype, device);
        using var cat = torch.cat(parts, 0);
        if (cat.dtype == dtype && cat.device == device) return cat.alias();
        return cat.to(dtype, device);
    }

    /// <summary>Frees the tensors this batch made (not the targets' own).</summary>
    public void Dispose()
    {
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }
}
