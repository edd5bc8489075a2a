using System.Reflection;
using System.Runtime.InteropServices;

namespace DetrSharp.Torch.Native;

/// <summary>
/// Finds the native shim (libdetrsharp_native.so): $DETRSHARP_NATIVE_LIB, next to the assemblies (an application
/// published for linux-x64), in runtimes/linux-x64/native/ beside them (where an application's build puts the NuGet
/// package's copy), or native/build/ in a source checkout above them.
/// </summary>
internal static class NativeLoader
{
    internal const string LibName = "detrsharp_native";
    static int _registered;

    internal static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != LibName) return IntPtr.Zero;
        foreach (var candidate in Candidates())
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        throw new DllNotFoundException(
            "libdetrsharp_native.so not found: build it with ./scripts/bootstrap.sh (or set DETRSHARP_NATIVE_LIB). Looked in: "
            + string.Join(", ", Candidates()));
    }

    static IEnumerable<string> Candidates()
    {
        var env = Environment.GetEnvironmentVariable("DETRSHARP_NATIVE_LIB");
        if (!string.IsNullOrEmpty(env)) yield return env;
        yield return Path.Combine(AppContext.BaseDirectory, "libdetrsharp_native.so");
        yield return Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libdetrsharp_native.so");
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null)
        {
            yield return Path.Combine(dir.FullName, "native", "build", "libdetrsharp_native.so");
            dir = dir.Parent;
        }
    }

    /// <summary>The folder holding the shim's build (for the C++ interop benchmark binary).</summary>
    internal static string? NativeBuildDir()
        => Candidates().Where(File.Exists).Select(Path.GetDirectoryName).FirstOrDefault();
}
