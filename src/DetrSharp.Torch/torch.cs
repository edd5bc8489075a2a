using System.Runtime.InteropServices;
using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

/// <summary>The torch namespace of TorchSharp / PyTorch: runtime settings, seeds and grad mode.</summary>
public static partial class torch
{
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType bfloat16 = ScalarType.BFloat16;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType int16 = ScalarType.Int16;
    public const ScalarType int8 = ScalarType.Int8;
    public const ScalarType uint8 = ScalarType.Byte;
    public const ScalarType @bool = ScalarType.Bool;
    public const ScalarType @float = ScalarType.Float32;
    public const ScalarType @long = ScalarType.Int64;

    public static readonly Device CPU = Device.CPU;
    public static readonly Device CUDA = Device.CUDA;

    static torch()
    {
        NativeLoader.EnsureRegistered();
    }

    /// <summary>libtorch's version, e.g. "1.13.1".</summary>
    public static string version => Marshal.PtrToStringUTF8(TorchException.Check(NativeMethods.dsh_version())) ?? "";

    /// <summary>libtorch's description of its thread pools and BLAS.</summary>
    public static string parallel_info => Marshal.PtrToStringUTF8(TorchException.Check(NativeMethods.dsh_parallel_info())) ?? "";

    /// <summary>Seeds the default generator (CPU, and CUDA when present).</summary>
    public static void manual_seed(long seed) => TorchException.Check(NativeMethods.dsh_manual_seed(seed));

    /// <summary>
    /// libtorch's intra-op threads, and OpenBLAS's (float32 matrix products on Debian's libtorch), which
    /// at::set_num_threads alone leaves at the core count.
    /// </summary>
    public static void set_num_threads(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "thread count must be positive");
        TorchException.Check(NativeMethods.dsh_set_num_threads(n));
    }

    public static int get_num_threads() => TorchException.Check(NativeMethods.dsh_get_num_threads());

    /// <summary>OpenBLAS's thread count (what <see cref="set_num_threads"/> last set), or -1 where libtorch uses no OpenBLAS.</summary>
    public static int get_blas_num_threads() => NativeMethods.dsh_blas_num_threads();

    public static void set_num_interop_threads(int n) => TorchException.Check(NativeMethods.dsh_set_num_interop_threads(n));

    /// <summary>
    /// Whether freed host (CPU) memory is kept for reuse instead of being returned to the system (glibc: no mmap for
    /// large blocks, no heap trimming). On by default (set DETRSHARP_RETAIN_HOST_MEMORY=0 to start with it off):
    /// large tensors are then reused rather than page-faulted afresh on every pass, which made DETR-R50's inference
    /// 1.6x faster here (its training step gained less, and not in every run); resident memory stays at its peak, as a caching allocator's does.
    /// Returns false where the C library offers no such control (nothing changes then).
    /// </summary>
    public static bool set_host_memory_retained(bool retain) => NativeMethods.dsh_set_host_memory_retained(retain ? 1 : 0) == 1;

    public static partial class cuda
    {
        public static bool is_available() => TorchException.Check(NativeMethods.dsh_cuda_is_available()) != 0;
        public static int device_count() => TorchException.Check(NativeMethods.dsh_cuda_device_count());
    }

    /// <summary>A new dispose scope on this thread (see <see cref="DisposeScope"/>).</summary>
    public static DisposeScope NewDisposeScope() => new();

    public static bool is_grad_enabled() => TorchException.Check(NativeMethods.dsh_grad_enabled()) != 0;

    public static void set_grad_enabled(bool enabled) => TorchException.Check(NativeMethods.dsh_set_grad_enabled(enabled ? 1 : 0));

    /// <summary>Disables gradient recording on this thread until disposed: <c>using var _ = torch.no_grad();</c></summary>
    public static GradModeScope no_grad() => new(false);

    /// <summary>Enables gradient recording on this thread until disposed.</summary>
    public static GradModeScope enable_grad() => new(true);
}

/// <summary>Sets the thread's grad mode and restores the previous one on dispose.</summary>
public readonly struct GradModeScope : IDisposable
{
    readonly bool _previous;

    internal GradModeScope(bool enabled)
    {
        _previous = torch.is_grad_enabled();
        torch.set_grad_enabled(enabled);
    }

    public void Dispose() => torch.set_grad_enabled(_previous);
}
