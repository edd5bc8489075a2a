using System.Runtime.InteropServices;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// Linux <c>madvise</c> hints for the large buffers a checkpoint load fills: transparent huge pages for fresh
/// tensor memory (one fault and one clear per 2 MiB instead of per 4 KiB, where THP is in <c>madvise</c> mode).
/// A no-op elsewhere or when the call fails; purely a speed hint.
/// </summary>
internal static partial class MemoryAdvice
{
    const int MADV_HUGEPAGE = 14;
    const long HugePage = 2 << 20;
    static bool disabled = !OperatingSystem.IsLinux();

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static unsafe partial int madvise(void* address, nuint length, int advice);

    /// <summary>Asks for huge pages over the 2 MiB-aligned interior of [pointer, pointer + length).</summary>
    public static unsafe void HugePages(IntPtr pointer, long length)
    {
        if (disabled || length < 2 * HugePage) return;
        long start = ((long)pointer + HugePage - 1) & ~(HugePage - 1);
        long end = ((long)pointer + length) & ~(HugePage - 1);
        if (end <= start) return;
        try
        {
            madvise((void*)start, (nuint)(end - start), MADV_HUGEPAGE);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            disabled = true;
        }
    }
}
