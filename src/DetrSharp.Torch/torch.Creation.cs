using DetrSharp.Torch.Dispatch;
using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

// Tensor creation: zeros, ones, full, empty, arange, linspace, eye, rand*, and from .NET arrays.
public static unsafe partial class torch
{
    static readonly Op ArangeOp = new("aten::arange.start_step");
    static readonly Op LinspaceOp = new("aten::linspace");
    static readonly Op EyeOp = new("aten::eye.m");
    static readonly Op RandintOp = new("aten::randint.low_generator");
    static readonly Op RandpermOp = new("aten::randperm.generator");
    static readonly Op ZerosLikeOp = new("aten::zeros_like");
    static readonly Op OnesLikeOp = new("aten::ones_like");
    static readonly Op FullLikeOp = new("aten::full_like");
    static readonly Op EmptyLikeOp = new("aten::empty_like");
    static readonly Op RandLikeOp = new("aten::rand_like");
    static readonly Op RandnLikeOp = new("aten::randn_like");


    static unsafe Tensor Create(delegate*<long*, int, int, int, int, int, IntPtr> fn, ReadOnlySpan<long> size, ScalarType? dtype, Device? device, bool requires_grad)
    {
        CheckSize(size);
        var d = device ?? Device.CPU;
        fixed (long* p = size)
            return Tensor.Wrap(fn(p, size.Length, (int)(dtype ?? ScalarType.Float32), (int)d.type, d.index, requires_grad ? 1 : 0));
    }

    static void CheckSize(ReadOnlySpan<long> size)
    {
        foreach (var s in size)
            if (s < 0) throw new ArgumentException($"negative dimension {s} in size [{string.Join(", ", size.ToArray())}]");
    }

    public static unsafe Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
        => Create(&NativeMethods.dsh_empty, size, dtype, device, requires_grad);
    public static unsafe Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
        => Create(&NativeMethods.dsh_zeros, size, dtype, device, requires_grad);
    public static unsafe Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
        => Create(&NativeMethods.dsh_ones, size, dtype, device, requires_grad);

    public static Tensor empty(params long[] size) => empty(size, null);
    public static Tensor zeros(params long[] size) => zeros(size, null);
    public static Tensor ones(params long[] size) => ones(size, null);

    public static unsafe Tensor full(long[] size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        CheckSize(size);
        var d = device ?? Device.CPU;
        // As PyTorch: the dtype follows the fill value when none is given (ints give int64, bools bool).
        var dt = dtype ?? (value.IsFloatingPoint ? ScalarType.Float32 : value.Kind == 2 ? ScalarType.Bool : ScalarType.Int64);
        fixed (long* p = size)
            return Tensor.Wrap(NativeMethods.dsh_full(p, size.Length, value, (int)dt, (int)d.type, d.index, requires_grad ? 1 : 0));
    }

    /// <summary>Uniform samples in [0, 1).</summary>
    public static unsafe Tensor rand(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null)
    {
        CheckSize(size);
        var d = device ?? Device.CPU;
        fixed (long* p = size)
            return Tensor.Wrap(NativeMethods.dsh_random(0, p, size.Length, generator?.Handle ?? IntPtr.Zero, (int)(dtype ?? ScalarType.Float32), (int)d.type, d.index, requires_grad ? 1 : 0));
    }

    /// <summary>Standard normal samples.</summary>
    public static unsafe Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null)
    {
        CheckSize(size);
        var d = device ?? Device.CPU;
        fixed (long* p = size)
            return Tensor.Wrap(NativeMethods.dsh_random(1, p, size.Length, generator?.Handle ?? IntPtr.Zero, (int)(dtype ?? ScalarType.Float32), (int)d.type, d.index, requires_grad ? 1 : 0));
    }

    public static Tensor rand(params long[] size) => rand(size, null);
    public static Tensor randn(params long[] size) => randn(size, null);

    /// <summary>Integers uniform in [low, high).</summary>
    public static Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, Device? device = null, Generator? generator = null)
        => RandintOp.Tensor(low, high, size, generator, dtype ?? ScalarType.Int64, Arg.None, device);

    public static Tensor randint(long high, long[] size, ScalarType? dtype = null, Device? device = null, Generator? generator = null)
        => randint(0, high, size, dtype, device, generator);

    /// <summary>A random permutation of 0..n-1.</summary>
    public static Tensor randperm(long n, ScalarType? dtype = null, Device? device = null, Generator? generator = null)
        => RandpermOp.Tensor(n, generator, dtype ?? ScalarType.Int64, Arg.None, device);

    /// <summary>Values from start to end (exclusive) by step; int64 when all three are integers.</summary>
    public static Tensor arange(Scalar start, Scalar end, Scalar step, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var t = ArangeOp.Tensor(start, end, step, dtype, Arg.None, device);
        if (requires_grad) t.requires_grad_();
        return t;
    }

    public static Tensor arange(Scalar start, Scalar end, ScalarType? dtype = null, Device? device = null) => arange(start, end, 1, dtype, device);
    public static Tensor arange(Scalar end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype, device);

    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null)
        => LinspaceOp.Tensor(start, end, steps, dtype, Arg.None, device);

    public static Tensor eye(long n, long? m = null, ScalarType? dtype = null, Device? device = null)
        => EyeOp.Tensor(n, m ?? n, dtype, Arg.None, device);

    public static Tensor zeros_like(Tensor t, ScalarType? dtype = null) => ZerosLikeOp.Tensor(t, dtype);
    public static Tensor ones_like(Tensor t, ScalarType? dtype = null) => OnesLikeOp.Tensor(t, dtype);
    public static Tensor full_like(Tensor t, Scalar value, ScalarType? dtype = null) => FullLikeOp.Tensor(t, value, dtype);
    public static Tensor empty_like(Tensor t, ScalarType? dtype = null) => EmptyLikeOp.Tensor(t, dtype);
    public static Tensor rand_like(Tensor t) => RandLikeOp.Tensor(t);
    public static Tensor randn_like(Tensor t) => RandnLikeOp.Tensor(t);

    // ---- from .NET data: one copy into libtorch memory ------------------------------------------------

    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape (1-D when omitted).</summary>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, long[]? shape = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
        where T : unmanaged
    {
        shape ??= new long[] { data.Length };
        long numel = 1;
        foreach (var s in shape) numel *= s;
        if (numel != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {numel} values but {data.Length} were given");
        var et = Tensor.ElementTypeOf<T>();
        Tensor t;
        fixed (T* p = data)
        fixed (long* ps = shape)
            t = Tensor.Wrap(NativeMethods.dsh_tensor_from_data(p, (long)data.Length * sizeof(T), ps, shape.Length, (int)et));
        if ((dtype.HasValue && dtype.Value != et) || (device.HasValue && device.Value.type != DeviceType.CPU))
        {
            var converted = t.to(dtype ?? et, device ?? Device.CPU);
            t.Dispose();
            t = converted;
        }
        if (requires_grad) t.requires_grad_();
        return t;
    }

    public static Tensor tensor<T>(T[] data, long[]? shape = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
        where T : unmanaged => tensor((ReadOnlySpan<T>)data, shape, dtype, device, requires_grad);

    public static Tensor tensor<T>(T[,] data, ScalarType? dtype = null, Device? device = null) where T : unmanaged
    {
        var flat = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref data[0, 0], data.Length);
        return tensor(flat, new long[] { data.GetLength(0), data.GetLength(1) }, dtype, device);
    }

    /// <summary>A 0-d tensor.</summary>
    public static Tensor scalar_tensor(Scalar value, ScalarType? dtype = null, Device? device = null)
        => full(Array.Empty<long>(), value, dtype ?? (value.IsFloatingPoint ? ScalarType.Float32 : value.Kind == 2 ? ScalarType.Bool : ScalarType.Int64), device);

    public static Tensor tensor(double value, ScalarType? dtype = null) => scalar_tensor(value, dtype ?? ScalarType.Float32);
    public static Tensor tensor(float value) => scalar_tensor(value, ScalarType.Float32);
    public static Tensor tensor(long value) => scalar_tensor(value, ScalarType.Int64);
    public static Tensor tensor(bool value) => scalar_tensor(value, ScalarType.Bool);

    /// <summary>A strided view over another tensor's storage.</summary>
    public static Tensor as_strided(Tensor t, long[] size, long[] stride, long storage_offset = 0) => t.as_strided(size, stride, storage_offset);
}
