using System.Runtime.InteropServices;

namespace DetrSharp.Torch.Native;

/// <summary>The shim's C ABI (native/src). Handles are at::Tensor* / at::Generator* as IntPtr.</summary>
internal static unsafe partial class NativeMethods
{
    const string L = NativeLoader.LibName;

    static NativeMethods()
    {
        NativeLoader.EnsureRegistered();
        // DESIGN: intra-op threads default to the core count (libtorch's own default counts physical
        // cores only); OMP_NUM_THREADS, when set, keeps libtorch's choice.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_NUM_THREADS")))
            dsh_set_num_threads(Environment.ProcessorCount);
        // Keep freed host memory for reuse (see torch.set_host_memory_retained) unless told not to.
        if (Environment.GetEnvironmentVariable("DETRSHARP_RETAIN_HOST_MEMORY") != "0")
            dsh_set_host_memory_retained(1);
    }

    // host_memory.cpp
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_set_host_memory_retained(int retain);

    // errors.cpp
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_last_error();

    // tensor.cpp
    [DllImport(L, ExactSpelling = true)] internal static extern void dsh_tensor_free(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_tensor_alias(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern long dsh_tensor_dim(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_tensor_sizes(IntPtr t, long* output);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_tensor_strides(IntPtr t, long* output);
    [DllImport(L, ExactSpelling = true)] internal static extern long dsh_tensor_size(IntPtr t, long dim);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_tensor_dtype(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_tensor_device_type(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_tensor_device_index(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern long dsh_tensor_numel(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern long dsh_tensor_element_size(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern long dsh_tensor_storage_offset(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_tensor_is_contiguous(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_tensor_defined(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_tensor_data_ptr(IntPtr t, void** output);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_tensor_storage_ptr(IntPtr t, void** output);
    [DllImport(L, ExactSpelling = true)] internal static extern long dsh_tensor_storage_nbytes(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_tensor_from_data(void* data, long nbytes, long* shape, int ndim, int dtype);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_tensor_copy_to(IntPtr t, void* output, long nbytes);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_tensor_copy_from(IntPtr t, void* data, long nbytes);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_tensor_item(IntPtr t, Scalar* output);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_tensor_to_string(IntPtr t);

    // creation.cpp
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_empty(long* shape, int ndim, int dtype, int dev, int devi, int rg);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_zeros(long* shape, int ndim, int dtype, int dev, int devi, int rg);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_ones(long* shape, int ndim, int dtype, int dev, int devi, int rg);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_full(long* shape, int ndim, Scalar value, int dtype, int dev, int devi, int rg);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_random(int kind, long* shape, int ndim, IntPtr gen, int dtype, int dev, int devi, int rg);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_as_strided(IntPtr t, long* size, long* stride, int ndim, long offset);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_to(IntPtr t, int dtype, int dev, int devi, int nonBlocking, int copy);

    // arithmetic.cpp
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_add(IntPtr a, IntPtr b, Scalar alpha);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_add_(IntPtr a, IntPtr b, Scalar alpha);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_sub(IntPtr a, IntPtr b, Scalar alpha);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_sub_(IntPtr a, IntPtr b, Scalar alpha);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_mul(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_div(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_matmul(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_eq(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_ne(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_lt(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_le(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_gt(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_ge(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_maximum(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_minimum(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_pow(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_logical_and(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_logical_or(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_mul_(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_div_(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_copy_(IntPtr a, IntPtr b);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_add_scalar(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_sub_scalar(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_rsub_scalar(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_mul_scalar(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_div_scalar(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_pow_scalar(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_eq_scalar(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_ne_scalar(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_lt_scalar(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_le_scalar(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_gt_scalar(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_ge_scalar(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_add_scalar_(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_sub_scalar_(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_mul_scalar_(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_div_scalar_(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_fill_(IntPtr a, Scalar s);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_neg(IntPtr a);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_contiguous(IntPtr a);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_clone(IntPtr a);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_sigmoid(IntPtr a);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_relu(IntPtr a);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_exp(IntPtr a);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_log(IntPtr a);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_sqrt(IntPtr a);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_abs(IntPtr a);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_logical_not(IntPtr a);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_zero_(IntPtr a);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_view(IntPtr a, long* shape, int n);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_reshape(IntPtr a, long* shape, int n);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_permute(IntPtr a, long* dims, int n);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_expand(IntPtr a, long* shape, int n);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_transpose(IntPtr a, long d0, long d1);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_select(IntPtr a, long dim, long index);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_slice(IntPtr a, long dim, long start, long end, long step);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_unsqueeze(IntPtr a, long dim);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_squeeze(IntPtr a, long dim);

    // autograd.cpp
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_requires_grad(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_set_requires_grad(IntPtr t, int value);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_is_leaf(IntPtr t);
    /// <summary>1 and a new handle in <paramref name="output"/>: a gradient; 0: none; -1: an error.</summary>
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_grad(IntPtr t, IntPtr* output);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_set_grad(IntPtr t, IntPtr g);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_backward(IntPtr t, IntPtr grad, int retainGraph, int createGraph);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_autograd_grad(IntPtr output, IntPtr gradOutput, IntPtr* inputs, int n, int retainGraph, int createGraph, IntPtr* output2);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_detach(IntPtr t);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_grad_enabled();
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_set_grad_enabled(int enabled);

    // runtime.cpp
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_set_num_threads(int n);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_get_num_threads();
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_blas_num_threads();
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_set_num_interop_threads(int n);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_manual_seed(long seed);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_cuda_is_available();
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_cuda_device_count();
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_version();
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_parallel_info();
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_generator_new(long seed, int deviceType);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_generator_default();
    [DllImport(L, ExactSpelling = true)] internal static extern void dsh_generator_free(IntPtr g);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_generator_manual_seed(IntPtr g, long seed);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_generator_initial_seed(IntPtr g, long* seed);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_generator_get_state(IntPtr g);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_generator_set_state(IntPtr g, IntPtr state);

    // dispatcher.cpp
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_op_find(byte* name, byte* overload);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_op_schema(IntPtr op);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_op_call(IntPtr op, OpArg* args, int nargs, OpOut* outs, int maxOuts);
    [DllImport(L, ExactSpelling = true)] internal static extern void dsh_free(IntPtr p);
    /// <summary>1: the dispatcher knows the operator; 0: it does not; -1: an error.</summary>
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_has_schema(byte* name, byte* overload);

    // abi.cpp
    /// <summary>"sizeof:/offsetof:/enum:" lines describing the shared structs and enums (checked by the ABI test).</summary>
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_abi_info();
}

/// <summary>dsh_arg: one tagged argument of a boxed operator call.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct OpArg
{
    public int Kind;
    public int N;
    public long I;
    public double D;
    public IntPtr P;
    public IntPtr Name;
}

/// <summary>dsh_out: one result of a boxed operator call.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct OpOut
{
    public int Kind;
    public int N;
    public long I;
    public double D;
    public IntPtr P;
}
