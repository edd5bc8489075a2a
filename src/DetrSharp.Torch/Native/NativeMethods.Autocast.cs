using System.Runtime.InteropServices;

namespace DetrSharp.Torch.Native;

internal static unsafe partial class NativeMethods
{
    // autocast.cpp (deviceType: c10's numbering, 0 = CPU, 1 = CUDA; dtype: c10::ScalarType)
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_autocast_set_enabled(int deviceType, int enabled);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_autocast_is_enabled(int deviceType);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_autocast_set_dtype(int deviceType, int dtype);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_autocast_get_dtype(int deviceType);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_autocast_increment_nesting();
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_autocast_decrement_nesting();
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_autocast_clear_cache();
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_autocast_set_cache_enabled(int enabled);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_autocast_is_cache_enabled();
}
