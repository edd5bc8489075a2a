using System.Runtime.InteropServices;
using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

/// <summary>
/// A libtorch tensor: one owned native handle (an at::Tensor). Dispose it, or create it inside a
/// <see cref="DisposeScope"/> that frees it; the finalizer is only a backstop.
/// Names follow TorchSharp / PyTorch (shape, dtype, view, sum, ...).
/// </summary>
public sealed partial class Tensor : IDisposable
{
    IntPtr _handle;
    internal DisposeScope? Scope;
    static long _live;

    /// <summary>Native tensor handles currently owned by <see cref="Tensor"/> objects (for leak checks).</summary>
    public static long LiveHandles => Interlocked.Read(ref _live);

    internal Tensor(IntPtr handle)
    {
        _handle = TorchException.Check(handle);
        Interlocked.Increment(ref _live);
        DisposeScope.Register(this);
    }

    /// <summary>Wraps a handle the shim returned, throwing its error if it is null.</summary>
    internal static Tensor Wrap(IntPtr handle) => new(handle);

    /// <summary>The native at::Tensor*; throws if the tensor was disposed.</summary>
    public IntPtr Handle
    {
        get
        {
            var h = _handle;
            if (h == IntPtr.Zero) throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed");
            return h;
        }
    }

    public bool IsInvalid => _handle == IntPtr.Zero;

    ~Tensor() => Free();

    public void Dispose()
    {
        Scope?.Remove(this);
        Scope = null;
        Free();
        GC.SuppressFinalize(this);
    }

    void Free()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero)
        {
            NativeMethods.dsh_tensor_free(h);
            Interlocked.Decrement(ref _live);
        }
    }

    /// <summary>Moves this tensor to the enclosing dispose scope (see <see cref="DisposeScope.MoveToOuter{T}"/>).</summary>
    public Tensor MoveToOuterDisposeScope() => Scope?.MoveToOuter(this) ?? this;

    /// <summary>Takes this tensor out of its dispose scope; the caller disposes it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope?.Remove(this);
        Scope = null;
        return this;
    }

    /// <summary>A second handle to the same tensor (shares storage and autograd history).</summary>
    public Tensor alias() => Wrap(NativeMethods.dsh_tensor_alias(Handle));

    // ---- metadata ----------------------------------------------------------------------------------

    public long dim() => TorchException.Check(NativeMethods.dsh_tensor_dim(Handle));
    public long ndim => dim();
    public long Dimensions => dim();

    public unsafe long[] shape
    {
        get
        {
            var h = Handle;
            var n = (int)TorchException.Check(NativeMethods.dsh_tensor_dim(h));
            var s = new long[n];
            fixed (long* p = s) TorchException.Check(NativeMethods.dsh_tensor_sizes(h, p));
            return s;
        }
    }

    public long[] size() => shape;

    public long size(long dim)
    {
        var r = NativeMethods.dsh_tensor_size(Handle, dim);
        return r >= 0 ? r : throw TorchException.Last();
    }

    public unsafe long[] stride()
    {
        var h = Handle;
        var n = (int)TorchException.Check(NativeMethods.dsh_tensor_dim(h));
        var s = new long[n];
        fixed (long* p = s) TorchException.Check(NativeMethods.dsh_tensor_strides(h, p));
        return s;
    }

    public long stride(long dim)
    {
        var s = stride();
        return s[dim < 0 ? dim + s.Length : dim];
    }

    public ScalarType dtype => (ScalarType)TorchException.Check(NativeMethods.dsh_tensor_dtype(Handle));

    public Device device
    {
        get
        {
            var h = Handle;
            var type = (DeviceType)TorchException.Check(NativeMethods.dsh_tensor_device_type(h));
            var index = NativeMethods.dsh_tensor_device_index(h); // -1: no index; -2: error
            return new(type, index >= -1 ? index : throw TorchException.Last());
        }
    }

    public long numel() => TorchException.Check(NativeMethods.dsh_tensor_numel(Handle));
    public long element_size() => TorchException.Check(NativeMethods.dsh_tensor_element_size(Handle));
    public long storage_offset() => TorchException.Check(NativeMethods.dsh_tensor_storage_offset(Handle));
    public bool is_contiguous() => TorchException.Check(NativeMethods.dsh_tensor_is_contiguous(Handle)) != 0;
    public bool is_floating_point() => dtype.IsFloatingPoint();

    /// <summary>Address of the first element (CPU memory for CPU tensors).</summary>
    public unsafe IntPtr data_ptr()
    {
        void* p;
        TorchException.Check(NativeMethods.dsh_tensor_data_ptr(Handle, &p));
        return (IntPtr)p;
    }

    /// <summary>Base address of the tensor's storage (shared by all views of it).</summary>
    public unsafe IntPtr untyped_storage_ptr()
    {
        void* p;
        TorchException.Check(NativeMethods.dsh_tensor_storage_ptr(Handle, &p));
        return (IntPtr)p;
    }

    /// <summary>Size of the tensor's storage in bytes.</summary>
    public long untyped_storage_nbytes()
    {
        var n = NativeMethods.dsh_tensor_storage_nbytes(Handle);
        return n >= 0 ? n : throw TorchException.Last();
    }

    // ---- data in and out ---------------------------------------------------------------------------------

    /// <summary>The values in row-major order, copied once into a new array (any device or layout).</summary>
    public unsafe T[] data<T>() where T : unmanaged
    {
        CheckElementType<T>();
        var result = new T[numel()];
        fixed (T* p = result)
            TorchException.Check(NativeMethods.dsh_tensor_copy_to(Handle, p, (long)result.Length * sizeof(T)));
        return result;
    }

    /// <summary>Alias of <see cref="data{T}"/>.</summary>
    public T[] ToArray<T>() where T : unmanaged => data<T>();

    /// <summary>
    /// A span over the tensor's own memory, without copying. Only for contiguous CPU tensors; the span is
    /// valid while the tensor lives.
    /// </summary>
    public unsafe Span<T> AsSpan<T>() where T : unmanaged
    {
        CheckElementType<T>();
        if (device.type != DeviceType.CPU || !is_contiguous())
            throw new InvalidOperationException("AsSpan needs a contiguous CPU tensor; call .contiguous() or .cpu() first");
        var n = numel();
        if (n == 0) return Span<T>.Empty;
        return new Span<T>((void*)data_ptr(), checked((int)n));
    }

    /// <summary>Copies values into this contiguous CPU tensor (lengths must match).</summary>
    public unsafe Tensor CopyFrom<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        CheckElementType<T>();
        fixed (T* p = values)
            TorchException.Check(NativeMethods.dsh_tensor_copy_from(Handle, p, (long)values.Length * sizeof(T)));
        return this;
    }

    /// <summary>The single value of a one-element tensor.</summary>
    public unsafe T item<T>() where T : unmanaged
    {
        Scalar s;
        TorchException.Check(NativeMethods.dsh_tensor_item(Handle, &s));
        object boxed = typeof(T) switch
        {
            var t when t == typeof(float) => (float)s.ToDouble(),
            var t when t == typeof(double) => s.ToDouble(),
            var t when t == typeof(long) => s.ToInt64(),
            var t when t == typeof(int) => (int)s.ToInt64(),
            var t when t == typeof(bool) => s.ToBoolean(),
            var t when t == typeof(byte) => (byte)s.ToInt64(),
            var t when t == typeof(short) => (short)s.ToInt64(),
            var t when t == typeof(Half) => (Half)s.ToDouble(),
            _ => throw new NotSupportedException($"item<{typeof(T).Name}> is not supported"),
        };
        return (T)boxed;
    }

    /// <summary>The single value as a .NET double.</summary>
    public double ToDouble() => item<double>();
    public float ToSingle() => item<float>();
    public long ToInt64() => item<long>();
    public bool ToBoolean() => item<bool>();

    void CheckElementType<T>() where T : unmanaged
    {
        var want = ElementTypeOf<T>();
        var have = dtype;
        if (want != have) throw new ArgumentException($"element type {typeof(T).Name} does not match the tensor's dtype {have.Name()}");
    }

    internal static ScalarType ElementTypeOf<T>() where T : unmanaged => typeof(T) switch
    {
        var t when t == typeof(float) => ScalarType.Float32,
        var t when t == typeof(double) => ScalarType.Float64,
        var t when t == typeof(long) => ScalarType.Int64,
        var t when t == typeof(int) => ScalarType.Int32,
        var t when t == typeof(short) => ScalarType.Int16,
        var t when t == typeof(sbyte) => ScalarType.Int8,
        var t when t == typeof(byte) => ScalarType.Byte,
        var t when t == typeof(bool) => ScalarType.Bool,
        var t when t == typeof(Half) => ScalarType.Float16,
        _ => throw new NotSupportedException($"no tensor element type for {typeof(T).Name}"),
    };

    /// <summary>Shape, dtype and device, then the values as libtorch prints them.</summary>
    public override string ToString()
    {
        if (IsInvalid) return "Tensor(disposed)";
        var head = $"[{string.Join(", ", shape)}], type = {dtype.Name()}, device = {device}";
        var body = Marshal.PtrToStringUTF8(TorchException.Check(NativeMethods.dsh_tensor_to_string(Handle)));
        return head + Environment.NewLine + body;
    }
}
