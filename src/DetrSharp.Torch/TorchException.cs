using System.Runtime.InteropServices;
using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

/// <summary>An error reported by libtorch (shape or dtype mismatch, index out of range, ...), with its message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }

    /// <summary>Throws the calling thread's last native error.</summary>
    internal static Exception Last()
    {
        var msg = Marshal.PtrToStringUTF8(NativeMethods.dsh_last_error()) ?? "(no message)";
        return new TorchException(Clean(msg));
    }

    /// <summary>libtorch messages carry "Exception raised from ..." trailers and C++ frames; keep the first lines.</summary>
    static string Clean(string msg)
    {
        int cut = msg.IndexOf("\nException raised from", StringComparison.Ordinal);
        if (cut >= 0) msg = msg[..cut];
        return msg.Trim();
    }

    internal static IntPtr Check(IntPtr handle) => handle != IntPtr.Zero ? handle : throw Last();
    internal static int Check(int rc) => rc >= 0 ? rc : throw Last();
    internal static long Check(long value) => value >= 0 ? value : throw Last();
}
