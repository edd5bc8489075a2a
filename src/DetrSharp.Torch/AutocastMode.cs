using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

public static partial class torch
{
    /// <summary>
    /// Mixed precision for the ops run on this thread until disposed, as <c>with torch.autocast(device_type, dtype):</c>:
    /// libtorch's autocast casts the inputs of convolutions and matrix products to <paramref name="dtype"/> and keeps
    /// the ops on its float32 list (losses, softmax, norms, reductions) in float32. Every call path goes through it
    /// (typed entry points and <c>Op</c>'s boxed dispatcher alike). <paramref name="enabled"/> = false turns autocast
    /// off inside an enclosing scope (<c>torch.autocast(..., enabled=False)</c>), e.g. around a loss computed in float32.
    /// </summary>
    /// <param name="device">CPU or CUDA: the tensors autocast applies to</param>
    /// <param name="dtype">BFloat16 (CPU's only choice, the default there) or Float16 (CUDA's default)</param>
    /// <param name="enabled">false: autocast off for the device until disposed</param>
    /// <param name="cacheEnabled">cache the casts of leaf weights inside the outermost scope (torch's default)</param>
    public static AutocastMode autocast(DeviceType device, ScalarType? dtype = null, bool enabled = true, bool cacheEnabled = true)
        => new(device, dtype ?? (device == DeviceType.CPU ? ScalarType.BFloat16 : ScalarType.Float16), enabled, cacheEnabled);

    /// <summary>Whether autocast is on for the device type on this thread.</summary>
    public static bool is_autocast_enabled(DeviceType device) => TorchException.Check(NativeMethods.dsh_autocast_is_enabled((int)device)) != 0;

    /// <summary>The type autocast casts to on the device type on this thread.</summary>
    public static ScalarType get_autocast_dtype(DeviceType device) => (ScalarType)TorchException.Check(NativeMethods.dsh_autocast_get_dtype((int)device));
}

/// <summary>
/// One autocast scope (<see cref="torch.autocast"/>): on creation it saves the thread's autocast state for the device
/// (enabled, dtype, weight cache), sets the new one and increments the nesting; on dispose it decrements the nesting,
/// frees the weight-cast cache when the outermost scope ends, and restores the saved state, as torch.autocast's
/// __enter__/__exit__ do. Autocast state is per thread: dispose the scope on the thread that created it.
/// </summary>
public sealed class AutocastMode : IDisposable
{
    readonly DeviceType _device;
    readonly bool _previousEnabled;
    readonly ScalarType _previousDtype;
    readonly bool _previousCache;
    readonly int _threadId;
    bool _disposed;

    internal AutocastMode(DeviceType device, ScalarType dtype, bool enabled, bool cacheEnabled)
    {
        if (device is not (DeviceType.CPU or DeviceType.CUDA))
            throw new ArgumentException($"autocast: device type {device} is not supported (CPU or CUDA)", nameof(device));
        if (dtype is not (ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"autocast: dtype must be bfloat16 or float16; got {dtype.Name()}", nameof(dtype));
        if (enabled && device == DeviceType.CPU && dtype != ScalarType.BFloat16)
            throw new ArgumentException("autocast: on the CPU only bfloat16 is supported (float16 autocast is CUDA only)", nameof(dtype));
        _device = device;
        Dtype = dtype;
        Enabled = enabled;
        _threadId = Environment.CurrentManagedThreadId;
        _previousCache = TorchException.Check(NativeMethods.dsh_autocast_is_cache_enabled()) != 0;
        _previousEnabled = torch.is_autocast_enabled(device);
        _previousDtype = torch.get_autocast_dtype(device);
        TorchException.Check(NativeMethods.dsh_autocast_set_dtype((int)device, (int)dtype));
        TorchException.Check(NativeMethods.dsh_autocast_set_enabled((int)device, enabled ? 1 : 0));
        TorchException.Check(NativeMethods.dsh_autocast_increment_nesting());
        TorchException.Check(NativeMethods.dsh_autocast_set_cache_enabled(cacheEnabled ? 1 : 0));
    }

    /// <summary>Whether this scope turned autocast on (false: it turned it off).</summary>
    public bool Enabled { get; }

    /// <summary>The type this scope casts to.</summary>
    public ScalarType Dtype { get; }

    public void Dispose()
    {
        if (_disposed) return;
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException("an autocast scope must be disposed on the thread that created it (autocast state is per thread)");
        _disposed = true;
        if (TorchException.Check(NativeMethods.dsh_autocast_decrement_nesting()) == 0)
            TorchException.Check(NativeMethods.dsh_autocast_clear_cache());
        TorchException.Check(NativeMethods.dsh_autocast_set_enabled((int)_device, _previousEnabled ? 1 : 0));
        TorchException.Check(NativeMethods.dsh_autocast_set_dtype((int)_device, (int)_previousDtype));
        TorchException.Check(NativeMethods.dsh_autocast_set_cache_enabled(_previousCache ? 1 : 0));
    }
}
