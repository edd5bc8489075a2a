namespace DetrSharp.Torch.Serialization;

/// <summary>
/// A tensor as a checkpoint describes it, before any memory is touched: a view of <see cref="Storage"/>
/// with an element offset, shape and strides (PyTorch's <c>_rebuild_tensor_v2</c> arguments).
/// </summary>
public sealed class TensorRecord
{
    /// <summary>The storage the tensor views.</summary>
    public required StorageRef Storage { get; init; }

    /// <summary>Offset of the first element, in elements of <see cref="DType"/>.</summary>
    public required long StorageOffset { get; init; }

    /// <summary>Sizes per dimension (empty for a 0-d tensor).</summary>
    public required long[] Shape { get; init; }

    /// <summary>Strides per dimension, in elements.</summary>
    public required long[] Stride { get; init; }

    /// <summary>The tensor's element type (the storage's, except for <c>_rebuild_tensor_v3</c>).</summary>
    public required ScalarType DType { get; init; }

    /// <summary>Whether the tensor requires gradients (nn.Parameter's default).</summary>
    public bool RequiresGrad { get; init; }

    /// <summary>Rebuilt through <c>_rebuild_parameter</c> (an nn.Parameter).</summary>
    public bool IsParameter { get; init; }

    /// <summary>Python attributes of a parameter rebuilt with <c>_rebuild_parameter_with_state</c>, else null.</summary>
    public object? State { get; init; }

    /// <summary>Number of elements (product of the shape).</summary>
    public long NumElements => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Elements of the storage the view reaches: offset + Σ (size−1)·stride + 1 (0 for an empty tensor).</summary>
    public long ElementsNeeded()
    {
        if (Shape.Any(s => s == 0)) return 0;
        Int128 last = StorageOffset;
        for (int i = 0; i < Shape.Length; i++) last += (Int128)(Shape[i] - 1) * Stride[i];
        last += 1;
        return last > long.MaxValue ? long.MaxValue : (long)last;
    }

    public override string ToString()
        => $"tensor({DType.Name()}, shape [{string.Join(", ", Shape)}], stride [{string.Join(", ", Stride)}], offset {StorageOffset}, storage '{Storage.Key}')";
}
