using DetrSharp.Torch.Dispatch;
using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

// Views and shape changes: view, reshape, permute, transpose, flatten, unflatten, squeeze, unsqueeze,
// expand, repeat, narrow, slice, select, split, chunk, as_strided.
public sealed partial class Tensor
{
    static readonly Op FlattenOp = new("aten::flatten.using_ints"), SqueezeAllOp = new("aten::squeeze"),
        RepeatOp = new("aten::repeat"), SplitOp = new("aten::split.Tensor"), SplitSizesOp = new("aten::split_with_sizes"),
        ChunkOp = new("aten::chunk"), UnbindOp = new("aten::unbind.int"), NarrowOp = new("aten::narrow"),
        ExpandAsOp = new("aten::expand_as"), FlipOp = new("aten::flip"), TrilOp = new("aten::tril"), TriuOp = new("aten::triu"),
        RepeatInterleaveOp = new("aten::repeat_interleave.self_int"), RollOp = new("aten::roll");

    public unsafe Tensor view(params long[] shape)
    {
        fixed (long* p = shape) return Wrap(NativeMethods.dsh_view(Handle, p, shape.Length));
    }

    public unsafe Tensor reshape(params long[] shape)
    {
        fixed (long* p = shape) return Wrap(NativeMethods.dsh_reshape(Handle, p, shape.Length));
    }

    public Tensor view_as(Tensor other) => view(other.shape);
    public Tensor reshape_as(Tensor other) => reshape(other.shape);

    public unsafe Tensor permute(params long[] dims)
    {
        fixed (long* p = dims) return Wrap(NativeMethods.dsh_permute(Handle, p, dims.Length));
    }

    public unsafe Tensor expand(params long[] shape)
    {
        fixed (long* p = shape) return Wrap(NativeMethods.dsh_expand(Handle, p, shape.Length));
    }

    public Tensor expand_as(Tensor other) => ExpandAsOp.Tensor(this, other);
    public Tensor transpose(long dim0, long dim1) => Wrap(NativeMethods.dsh_transpose(Handle, dim0, dim1));
    /// <summary>Transpose of a 2-D tensor.</summary>
    public Tensor t() => transpose(0, 1);
    public Tensor T => t();
    public Tensor mT => transpose(-2, -1);
    public Tensor select(long dim, long index) => Wrap(NativeMethods.dsh_select(Handle, dim, index));

    /// <summary>Elements start..end (exclusive) by step along dim; bounds clamp as Python slices do.</summary>
    public Tensor slice(long dim, long start, long end, long step = 1) => Wrap(NativeMethods.dsh_slice(Handle, dim, start, end, step));

    public Tensor narrow(long dim, long start, long length) => NarrowOp.Tensor(this, dim, start, length);
    public Tensor unsqueeze(long dim) => Wrap(NativeMethods.dsh_unsqueeze(Handle, dim));
    public Tensor squeeze(long dim) => Wrap(NativeMethods.dsh_squeeze(Handle, dim));
    public Tensor squeeze() => SqueezeAllOp.Tensor(this);
    public Tensor flatten(long start_dim = 0, long end_dim = -1) => FlattenOp.Tensor(this, start_dim, end_dim);

    /// <summary>Splits dim into the given sizes (one may be -1).</summary>
    public Tensor unflatten(long dim, params long[] sizes)
    {
        var s = shape;
        if (dim < 0) dim += s.Length;
        if (dim < 0 || dim >= s.Length) throw new ArgumentOutOfRangeException(nameof(dim), $"dim {dim} out of range for a {s.Length}-d tensor");
        var ns = new List<long>(s.Length + sizes.Length);
        ns.AddRange(s[..(int)dim]);
        ns.AddRange(sizes);
        ns.AddRange(s[((int)dim + 1)..]);
        return view(ns.ToArray());
    }

    public Tensor repeat(params long[] repeats) => RepeatOp.Tensor(this, repeats);
    public Tensor repeat_interleave(long repeats, long? dim = null) => RepeatInterleaveOp.Tensor(this, repeats, dim);
    public Tensor flip(params long[] dims) => FlipOp.Tensor(this, dims);
    public Tensor roll(long[] shifts, long[] dims) => RollOp.Tensor(this, shifts, dims);
    public Tensor tril(long diagonal = 0) => TrilOp.Tensor(this, diagonal);
    public Tensor triu(long diagonal = 0) => TriuOp.Tensor(this, diagonal);

    /// <summary>Pieces of split_size along dim (the last may be smaller).</summary>
    public Tensor[] split(long split_size, long dim = 0) => SplitOp.TensorList(this, split_size, dim);
    /// <summary>Pieces of the given sizes along dim.</summary>
    public Tensor[] split(long[] split_sizes, long dim = 0) => SplitSizesOp.TensorList(this, split_sizes, dim);
    public Tensor[] chunk(long chunks, long dim = 0) => ChunkOp.TensorList(this, chunks, dim);
    public Tensor[] unbind(long dim = 0) => UnbindOp.TensorList(this, dim);

    public unsafe Tensor as_strided(long[] size, long[] stride, long storage_offset = 0)
    {
        if (size.Length != stride.Length) throw new ArgumentException($"as_strided: {size.Length} sizes but {stride.Length} strides");
        fixed (long* ps = size)
        fixed (long* pt = stride)
            return Wrap(NativeMethods.dsh_as_strided(Handle, ps, pt, size.Length, storage_offset));
    }

    public Tensor contiguous() => Wrap(NativeMethods.dsh_contiguous(Handle));
    public Tensor clone() => Wrap(NativeMethods.dsh_clone(Handle));
}
