using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

// torch.* functions over several tensors: cat, stack, where, einsum, bmm, cdist, one_hot, diag ...
public static partial class torch
{
    static readonly Op CatOp = new("aten::cat"), StackOp = new("aten::stack"), WhereOp = new("aten::where.self"),
        WhereScalarOp = new("aten::where.Scalar"), WhereCondOp = new("aten::where"), EinsumOp = new("aten::einsum"),
        BmmOp = new("aten::bmm"), CdistOp = new("aten::cdist"), OneHotOp = new("aten::one_hot"), DiagOp = new("aten::diag"),
        MeshgridOp = new("aten::meshgrid.indexing"), AllcloseOp = new("aten::allclose"), EqualOp = new("aten::equal"),
        OuterOp = new("aten::outer"), BroadcastOp = new("aten::broadcast_tensors"), IsinOp = new("aten::isin.Tensor_Tensor");

    public static Tensor cat(Tensor[] tensors, long dim = 0) => CatOp.Tensor(tensors, dim);
    public static Tensor cat(IEnumerable<Tensor> tensors, long dim = 0) => cat(tensors.ToArray(), dim);
    public static Tensor concat(Tensor[] tensors, long dim = 0) => cat(tensors, dim);
    public static Tensor stack(Tensor[] tensors, long dim = 0) => StackOp.Tensor(tensors, dim);
    public static Tensor stack(IEnumerable<Tensor> tensors, long dim = 0) => stack(tensors.ToArray(), dim);

    /// <summary>x where condition holds, else y (broadcast).</summary>
    public static Tensor where(Tensor condition, Tensor x, Tensor y) => WhereOp.Tensor(condition, x, y);
    public static Tensor where(Tensor condition, Scalar x, Scalar y) => WhereScalarOp.Tensor(condition, x, y);
    /// <summary>torch.where(condition): the indices of true elements, one tensor per dim.</summary>
    public static Tensor[] where(Tensor condition) => WhereCondOp.TensorList(condition);

    public static Tensor einsum(string equation, params Tensor[] tensors) => EinsumOp.Tensor(equation, tensors);
    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor bmm(Tensor a, Tensor b) => BmmOp.Tensor(a, b);
    public static Tensor outer(Tensor a, Tensor b) => OuterOp.Tensor(a, b);

    /// <summary>Pairwise p-norm distances between the rows of x1 [.., P, M] and x2 [.., R, M]: [.., P, R].</summary>
    public static Tensor cdist(Tensor x1, Tensor x2, double p = 2.0) => CdistOp.Tensor(x1, x2, p);

    public static Tensor one_hot(Tensor labels, long num_classes = -1) => OneHotOp.Tensor(labels, num_classes);
    public static Tensor diag(Tensor t, long diagonal = 0) => DiagOp.Tensor(t, diagonal);
    public static Tensor[] meshgrid(Tensor[] tensors, string indexing = "ij") => MeshgridOp.TensorList(tensors, indexing);
    public static Tensor[] broadcast_tensors(params Tensor[] tensors) => BroadcastOp.TensorList(tensors);
    public static Tensor isin(Tensor elements, Tensor test_elements) => IsinOp.Tensor(elements, test_elements);

    public static bool allclose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false)
        => AllcloseOp.Double(a, b, rtol, atol, equal_nan) != 0;
    public static bool equal(Tensor a, Tensor b) => EqualOp.Double(a, b) != 0;

    // Element-wise functions in the torch.* spelling.
    public static Tensor exp(Tensor t) => t.exp();
    public static Tensor log(Tensor t) => t.log();
    public static Tensor sqrt(Tensor t) => t.sqrt();
    public static Tensor abs(Tensor t) => t.abs();
    public static Tensor sigmoid(Tensor t) => t.sigmoid();
    public static Tensor atan(Tensor t) => t.atan();
    public static Tensor floor(Tensor t) => t.floor();
    public static Tensor round(Tensor t) => t.round();
    public static Tensor pow(Tensor t, Scalar e) => t.pow(e);
    public static Tensor pow(Tensor t, Tensor e) => t.pow(e);
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor max(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor min(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor clamp(Tensor t, Scalar? min = null, Scalar? max = null) => t.clamp(min, max);
    public static Tensor softmax(Tensor t, long dim) => t.softmax(dim);
    public static Tensor log_softmax(Tensor t, long dim) => t.log_softmax(dim);
    public static Tensor sum(Tensor t) => t.sum();
    public static Tensor mean(Tensor t) => t.mean();
    public static Tensor argmax(Tensor t, long? dim = null, bool keepdim = false) => t.argmax(dim, keepdim);
    public static Tensor gather(Tensor t, long dim, Tensor index) => t.gather(dim, index);
    public static Tensor nonzero(Tensor t) => t.nonzero();
    public static (Tensor values, Tensor indices) topk(Tensor t, long k, long dim = -1, bool largest = true, bool sorted = true) => t.topk(k, dim, largest, sorted);
    public static (Tensor values, Tensor indices) sort(Tensor t, long dim = -1, bool descending = false, bool stable = false) => t.sort(dim, descending, stable);
    public static Tensor argsort(Tensor t, long dim = -1, bool descending = false, bool stable = false) => t.argsort(dim, descending, stable);
    public static Tensor flatten(Tensor t, long start_dim = 0, long end_dim = -1) => t.flatten(start_dim, end_dim);
    public static Tensor[] split(Tensor t, long size, long dim = 0) => t.split(size, dim);
    public static Tensor[] split(Tensor t, long[] sizes, long dim = 0) => t.split(sizes, dim);
    public static Tensor[] chunk(Tensor t, long chunks, long dim = 0) => t.chunk(chunks, dim);
    public static Tensor unsqueeze(Tensor t, long dim) => t.unsqueeze(dim);
    public static Tensor squeeze(Tensor t, long dim) => t.squeeze(dim);
    public static Tensor transpose(Tensor t, long d0, long d1) => t.transpose(d0, d1);
    public static Tensor permute(Tensor t, params long[] dims) => t.permute(dims);
    public static Tensor isnan(Tensor t) => t.isnan();
    public static Tensor isfinite(Tensor t) => t.isfinite();
    public static Tensor zeros_like(Tensor t) => zeros_like(t, null);
}
