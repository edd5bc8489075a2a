using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// The one-to-one matching of one image, as DETR's matcher returns it: prediction (query) indices
/// <see cref="Src"/> and target indices <see cref="Tgt"/> paired by position, sorted by <see cref="Src"/>,
/// min(queries, targets) pairs.
/// </summary>
public sealed class ImageMatch
{
    /// <summary>A matching of no pairs (an image with no targets).</summary>
    public static ImageMatch Empty { get; } = new([], []);

    /// <summary>Creates a matching from its paired indices.</summary>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public ImageMatch(long[] src, long[] tgt)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentNullException.ThrowIfNull(tgt);
        if (src.Length != tgt.Length)
            throw new ArgumentException($"ImageMatch: {src.Length} source indices but {tgt.Length} target indices", nameof(tgt));
        Src = src;
        Tgt = tgt;
    }

    /// <summary>Matched prediction indices, ascending.</summary>
    public long[] Src { get; }

    /// <summary>The target index matched to each entry of <see cref="Src"/>.</summary>
    public long[] Tgt { get; }

    /// <summary>Number of pairs.</summary>
    public int Count => Src.Length;

    /// <summary>The pairs as int64 tensors (src [k], tgt [k]), as the reference's (index_i, index_j).</summary>
    public (Tensor Src, Tensor Tgt) ToTensors(Device? device = null)
        => (torch.tensor(Src, [Src.Length], ScalarType.Int64, device), torch.tensor(Tgt, [Tgt.Length], ScalarType.Int64, device));

    /// <inheritdoc/>
    public override string ToString() => $"ImageMatch({Count} pairs: src [{string.Join(", ", Src)}], tgt [{string.Join(", ", Tgt)}])";
}
