using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

/// <summary>A random number generator (CPU), as torch.Generator: seedable, with a saveable state.</summary>
public sealed class Generator : IDisposable
{
    IntPtr _handle;

    Generator(IntPtr handle) => _handle = TorchException.Check(handle);

    /// <summary>A new generator seeded with <paramref name="seed"/>.</summary>
    public Generator(long seed = 67280421310721, Device? device = null)
        : this(NativeMethods.dsh_generator_new(seed, (int)(device?.type ?? DeviceType.CPU))) { }

    /// <summary>The process-wide default CPU generator (what torch.manual_seed seeds).</summary>
    public static Generator Default => new(NativeMethods.dsh_generator_default());

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Generator));

    public Generator manual_seed(long seed)
    {
        TorchException.Check(NativeMethods.dsh_generator_manual_seed(Handle, seed));
        return this;
    }

    public unsafe long initial_seed()
    {
        long seed;
        TorchException.Check(NativeMethods.dsh_generator_initial_seed(Handle, &seed));
        return seed;
    }

    /// <summary>The generator's state as a uint8 tensor (for exact resume).</summary>
    public Tensor get_state() => Tensor.Wrap(NativeMethods.dsh_generator_get_state(Handle));

    public void set_state(Tensor state) => TorchException.Check(NativeMethods.dsh_generator_set_state(Handle, state.Handle));

    ~Generator() => Free();

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    void Free()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) NativeMethods.dsh_generator_free(h);
    }
}
