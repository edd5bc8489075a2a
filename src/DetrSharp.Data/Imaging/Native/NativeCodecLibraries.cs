using System.Reflection;
using System.Runtime.InteropServices;

namespace DetrSharp.Data.Imaging.Native;

/// <summary>
/// Resolves the codec libraries: Debian's sonames first (<c>libturbojpeg.so.0</c>, <c>libspng.so.0</c>),
/// then the unversioned and other platforms' names, so a non-Debian install works without code changes.
/// </summary>
internal static class NativeCodecLibraries
{
    internal const string TurboJpeg = "libturbojpeg.so.0";
    internal const string Spng = "libspng.so.0";

    static readonly Dictionary<string, string[]> Fallbacks = new()
    {
        [TurboJpeg] = ["libturbojpeg.so", "turbojpeg", "libturbojpeg.0.dylib", "libturbojpeg.dylib"],
        [Spng] = ["libspng.so", "spng", "libspng.0.dylib", "libspng.dylib"],
    };

    static int registered;

    /// <summary>Installs the resolver once for this assembly; called from the native classes' static constructors.</summary>
    internal static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return;
        try { NativeLibrary.SetDllImportResolver(typeof(NativeCodecLibraries).Assembly, Resolve); }
        catch (InvalidOperationException) { /* a resolver is already set for this assembly: keep it */ }
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (!Fallbacks.TryGetValue(name, out var alternatives)) return IntPtr.Zero;
        if (NativeLibrary.TryLoad(name, assembly, path, out var handle)) return handle;
        foreach (var alt in alternatives)
            if (NativeLibrary.TryLoad(alt, assembly, path, out handle)) return handle;
        return IntPtr.Zero; // the runtime then raises DllNotFoundException naming the library
    }
}
