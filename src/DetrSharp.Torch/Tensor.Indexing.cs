using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

// Indexing for reading and writing, as Python's t[...] and t[...] = v: integers, slices with steps,
// None, Ellipsis, and integer or boolean tensors (advanced indexing, e.g. t[batchIdx, srcIdx] = v).
// Also gather/scatter/index_select/index_put/masked_* as plain methods.
public sealed partial class Tensor
{
    static readonly Op IndexOp = new("aten::index.Tensor"), IndexPutOp = new("aten::index_put_"), IndexPutOutOp = new("aten::index_put"),
        GatherOp = new("aten::gather"), ScatterOp = new("aten::scatter.src"), ScatterValueOp = new("aten::scatter.value"),
        ScatterIOp = new("aten::scatter_.src"), ScatterValueIOp = new("aten::scatter_.value"),
        ScatterAddOp = new("aten::scatter_add"), ScatterAddIOp = new("aten::scatter_add_"), ScatterReduceOp = new("aten::scatter_reduce.two"),
        IndexSelectOp = new("aten::index_select"), IndexAddOp = new("aten::index_add"),
        MaskedFillOp = new("aten::masked_fill.Scalar"), MaskedFillTOp = new("aten::masked_fill.Tensor"),
        MaskedFillIOp = new("aten::masked_fill_.Scalar"), MaskedSelectOp = new("aten::masked_select"), MaskedScatterIOp = new("aten::masked_scatter_");

    /// <summary>t[indices] for reading and writing (a value tensor broadcast into the selection).</summary>
    public Tensor this[params TensorIndex[] indices]
    {
        get => Index(indices);
        set => IndexPut(indices, value);
    }

    /// <summary>t[indices] = value.</summary>
    public Tensor index_put_(TensorIndex[] indices, Scalar value)
    {
        using var v = torch.scalar_tensor(value, dtype, device);
        IndexPut(indices, v);
        return this;
    }

    public Tensor index(params TensorIndex[] indices) => Index(indices);

    /// <summary>aten::index: advanced indexing by a list of optional tensors, one per leading dim.</summary>
    public Tensor index(Tensor?[] indices) => IndexOp.Tensor(this, Arg.OptionalTensors(indices));

    /// <summary>aten::index_put_: this[indices] = values (accumulating with accumulate = true).</summary>
    public Tensor index_put_(Tensor?[] indices, Tensor values, bool accumulate = false)
    {
        IndexPutOp.InPlace(this, Arg.OptionalTensors(indices), values, accumulate);
        return this;
    }

    /// <summary>Out-of-place index_put (differentiable with respect to both inputs).</summary>
    public Tensor index_put(Tensor?[] indices, Tensor values, bool accumulate = false)
        => IndexPutOutOp.Tensor(this, Arg.OptionalTensors(indices), values, accumulate);

    Tensor Index(TensorIndex[] indices)
    {
        var (view, advanced) = ApplyBasic(indices);
        if (advanced == null) return view;
        try { return IndexOp.Tensor(view, Arg.OptionalTensors(advanced)); }
        finally { view.Dispose(); }
    }

    void IndexPut(TensorIndex[] indices, Tensor value)
    {
        var (view, advanced) = ApplyBasic(indices);
        try
        {
            if (advanced == null) view.copy_(value);
            else IndexPutOp.InPlace(view, Arg.OptionalTensors(advanced), value, false);
        }
        finally { view.Dispose(); }
    }

    /// <summary>Applies integers, slices, None and Ellipsis as views; returns the tensor indices left, per dim.</summary>
    (Tensor view, Tensor?[]? advanced) ApplyBasic(TensorIndex[] indices)
    {
        long ndim = dim();
        int consumed = 0, ellipses = 0;
        foreach (var ix in indices)
        {
            if (ix.Kind == TensorIndex.K.Ellipsis) ellipses++;
            else if (ix.Kind == TensorIndex.K.Tensor) consumed += (int)DimsTaken(ix.Tensor!);
            else if (ix.Kind != TensorIndex.K.None) consumed++;
        }
        if (ellipses > 1) throw new ArgumentException("an index can only have a single ellipsis");
        if (consumed > ndim) throw new ArgumentException($"too many indices for a tensor of dimension {ndim}");

        Tensor result = alias();
        List<Tensor?>? advanced = null;
        long d = 0, covered = 0;
        foreach (var ix in indices)
        {
            Tensor? next = null;
            switch (ix.Kind)
            {
                case TensorIndex.K.Single:
                {
                    long size = result.size(d);
                    long i = ix.Index < 0 ? ix.Index + size : ix.Index;
                    if (i < 0 || i >= size) throw new IndexOutOfRangeException($"index {ix.Index} is out of bounds for dimension {d} with size {size}");
                    next = result.select(d, i);
                    break;
                }
                case TensorIndex.K.Slice:
                    next = result.slice(d, ix.Start ?? 0, ix.Stop ?? long.MaxValue, ix.Step);
                    d++;
                    break;
                case TensorIndex.K.None:
                    next = result.unsqueeze(d);
                    d++;
                    break;
                case TensorIndex.K.Ellipsis:
                    d += ndim - consumed;
                    break;
                case TensorIndex.K.Tensor:
                {
                    advanced ??= new List<Tensor?>();
                    // aten::index gives a k-dim boolean mask k dims, every other entry one
                    while (covered < d) { advanced.Add(null); covered++; }
                    long span = DimsTaken(ix.Tensor!);
                    advanced.Add(ix.Tensor);
                    covered += span;
                    d += span;
                    break;
                }
            }
            if (next != null)
            {
                result.Dispose();
                result = next;
            }
        }
        return (result, advanced?.ToArray());
    }

    /// <summary>Dims an index tensor consumes: a k-dim boolean (or uint8) mask takes k, an integer tensor one.</summary>
    static long DimsTaken(Tensor index) => index.dtype is ScalarType.Bool or ScalarType.Byte ? index.dim() : 1;

    public Tensor gather(long dim, Tensor index) => GatherOp.Tensor(this, dim, index);
    public Tensor scatter(long dim, Tensor index, Tensor src) => ScatterOp.Tensor(this, dim, index, src);
    public Tensor scatter(long dim, Tensor index, Scalar value) => ScatterValueOp.Tensor(this, dim, index, value);
    public Tensor scatter_(long dim, Tensor index, Tensor src) { ScatterIOp.InPlace(this, dim, index, src); return this; }
    public Tensor scatter_(long dim, Tensor index, Scalar value) { ScatterValueIOp.InPlace(this, dim, index, value); return this; }
    public Tensor scatter_add(long dim, Tensor index, Tensor src) => ScatterAddOp.Tensor(this, dim, index, src);
    public Tensor scatter_add_(long dim, Tensor index, Tensor src) { ScatterAddIOp.InPlace(this, dim, index, src); return this; }
    /// <summary>scatter_reduce with reduce "sum", "prod", "mean", "amax" or "amin".</summary>
    public Tensor scatter_reduce(long dim, Tensor index, Tensor src, string reduce, bool include_self = true)
        => ScatterReduceOp.Tensor(this, dim, index, src, reduce, include_self);
    public Tensor index_select(long dim, Tensor index) => IndexSelectOp.Tensor(this, dim, index);
    public Tensor index_add(long dim, Tensor index, Tensor source) => IndexAddOp.Tensor(this, dim, index, source);
    public Tensor masked_fill(Tensor mask, Scalar value) => MaskedFillOp.Tensor(this, mask, value);
    public Tensor masked_fill(Tensor mask, Tensor value) => MaskedFillTOp.Tensor(this, mask, value);
    public Tensor masked_fill_(Tensor mask, Scalar value) { MaskedFillIOp.InPlace(this, mask, value); return this; }
    public Tensor masked_select(Tensor mask) => MaskedSelectOp.Tensor(this, mask);
    public Tensor masked_scatter_(Tensor mask, Tensor source) { MaskedScatterIOp.InPlace(this, mask, source); return this; }
}
