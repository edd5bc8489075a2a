using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

// Reductions with and without dims; sorting and selection.
public sealed partial class Tensor
{
    static readonly Op SumOp = new("aten::sum"), SumDimOp = new("aten::sum.dim_IntList"),
        MeanOp = new("aten::mean"), MeanDimOp = new("aten::mean.dim"),
        MaxOp = new("aten::max"), MaxDimOp = new("aten::max.dim"), MinOp = new("aten::min"), MinDimOp = new("aten::min.dim"),
        AmaxOp = new("aten::amax"), AminOp = new("aten::amin"), ArgmaxOp = new("aten::argmax"), ArgminOp = new("aten::argmin"),
        ProdOp = new("aten::prod"), ProdDimOp = new("aten::prod.dim_int"), CumsumOp = new("aten::cumsum"), CumprodOp = new("aten::cumprod"),
        AllOp = new("aten::all"), AllDimOp = new("aten::all.dim"), AnyOp = new("aten::any"), AnyDimOp = new("aten::any.dim"),
        NormOp = new("aten::linalg_vector_norm"), StdOp = new("aten::std.correction"), VarOp = new("aten::var.correction"),
        TopkOp = new("aten::topk"), SortOp = new("aten::sort.stable"), UniqueOp = new("aten::_unique2"),
        NonzeroOp = new("aten::nonzero"), CountNonzeroOp = new("aten::count_nonzero");

    /// <summary>The sum of all elements (convert first for another accumulation dtype: t.to(float64).sum()).</summary>
    public Tensor sum() => SumOp.Tensor(this);
    public Tensor sum(long dim, bool keepdim = false, ScalarType? dtype = null) => SumDimOp.Tensor(this, new[] { dim }, keepdim, dtype);
    public Tensor sum(long[] dim, bool keepdim = false, ScalarType? dtype = null) => SumDimOp.Tensor(this, dim, keepdim, dtype);
    public Tensor mean() => MeanOp.Tensor(this);
    public Tensor mean(long dim, bool keepdim = false) => MeanDimOp.Tensor(this, new[] { dim }, keepdim);
    public Tensor mean(long[] dim, bool keepdim = false) => MeanDimOp.Tensor(this, dim, keepdim);
    public Tensor prod() => ProdOp.Tensor(this);
    public Tensor prod(long dim, bool keepdim = false) => ProdDimOp.Tensor(this, dim, keepdim);
    public Tensor cumsum(long dim, ScalarType? dtype = null) => CumsumOp.Tensor(this, dim, dtype);
    public Tensor cumprod(long dim, ScalarType? dtype = null) => CumprodOp.Tensor(this, dim, dtype);

    /// <summary>The largest element (a 0-d tensor).</summary>
    public Tensor max() => MaxOp.Tensor(this);
    /// <summary>Largest values along dim and their indices.</summary>
    public (Tensor values, Tensor indices) max(long dim, bool keepdim = false) => MaxDimOp.Tensor2(this, dim, keepdim);
    public Tensor min() => MinOp.Tensor(this);
    public (Tensor values, Tensor indices) min(long dim, bool keepdim = false) => MinDimOp.Tensor2(this, dim, keepdim);
    public Tensor amax(long[] dim, bool keepdim = false) => AmaxOp.Tensor(this, dim, keepdim);
    public Tensor amax(long dim, bool keepdim = false) => AmaxOp.Tensor(this, new[] { dim }, keepdim);
    public Tensor amin(long[] dim, bool keepdim = false) => AminOp.Tensor(this, dim, keepdim);
    public Tensor amin(long dim, bool keepdim = false) => AminOp.Tensor(this, new[] { dim }, keepdim);
    public Tensor argmax(long? dim = null, bool keepdim = false) => ArgmaxOp.Tensor(this, dim, keepdim);
    public Tensor argmin(long? dim = null, bool keepdim = false) => ArgminOp.Tensor(this, dim, keepdim);
    public Tensor all() => AllOp.Tensor(this);
    public Tensor all(long dim, bool keepdim = false) => AllDimOp.Tensor(this, dim, keepdim);
    public Tensor any() => AnyOp.Tensor(this);
    public Tensor any(long dim, bool keepdim = false) => AnyDimOp.Tensor(this, dim, keepdim);

    /// <summary>The p-norm over all elements, or over dims.</summary>
    public Tensor norm(double p = 2, long[]? dim = null, bool keepdim = false) => NormOp.Tensor(this, p, dim, keepdim);
    public Tensor std(long[]? dim = null, bool unbiased = true, bool keepdim = false) => StdOp.Tensor(this, dim, unbiased ? 1L : 0L, keepdim);
    public Tensor var(long[]? dim = null, bool unbiased = true, bool keepdim = false) => VarOp.Tensor(this, dim, unbiased ? 1L : 0L, keepdim);

    public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true, bool sorted = true)
        => TopkOp.Tensor2(this, k, dim, largest, sorted);

    public (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false, bool stable = false)
        => SortOp.Tensor2(this, ((Arg)stable).Named("stable"), ((Arg)dim).Named("dim"), ((Arg)descending).Named("descending"));

    public Tensor argsort(long dim = -1, bool descending = false, bool stable = false)
    {
        var (values, indices) = sort(dim, descending, stable);
        values.Dispose();
        return indices;
    }

    /// <summary>Sorted unique values, and optionally inverse indices and counts (null when not asked).</summary>
    public (Tensor values, Tensor? inverse, Tensor? counts) unique(bool sorted = true, bool return_inverse = false, bool return_counts = false)
    {
        var (v, inv, cnt) = UniqueOp.Tensor3(this, sorted, return_inverse, return_counts);
        if (!return_inverse) { inv.Dispose(); inv = null!; }
        if (!return_counts) { cnt.Dispose(); cnt = null!; }
        return (v, inv, cnt);
    }

    /// <summary>Indices of non-zero elements: [count, ndim] int64.</summary>
    public Tensor nonzero() => NonzeroOp.Tensor(this);
    public Tensor count_nonzero() => CountNonzeroOp.Tensor(this, Arg.None);
}
