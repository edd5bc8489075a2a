using System.Runtime.InteropServices;

namespace DetrSharp.Torch.Native;

// distributed.cpp: c10d's TCPStore and ProcessGroupGloo, collectives over flattened tensor lists.
internal static unsafe partial class NativeMethods
{
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_dist_available();

    [DllImport(L, ExactSpelling = true)]
    internal static extern IntPtr dsh_dist_tcp_store_create([MarshalAs(UnmanagedType.LPUTF8Str)] string host, int port, int worldSize,
        int isMaster, long timeoutMs, [MarshalAs(UnmanagedType.LPUTF8Str)] string? prefix);

    [DllImport(L, ExactSpelling = true)] internal static extern void dsh_dist_store_free(IntPtr store);

    [DllImport(L, ExactSpelling = true)]
    internal static extern IntPtr dsh_dist_gloo_create(IntPtr store, int rank, int size, long timeoutMs, int deviceKind,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string? name);

    [DllImport(L, ExactSpelling = true)] internal static extern void dsh_dist_group_free(IntPtr group);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_dist_allreduce_start(IntPtr group, IntPtr* tensors, int n, double scale);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_dist_work_wait(IntPtr work);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_dist_broadcast(IntPtr group, IntPtr* tensors, int n, int root);
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_dist_barrier(IntPtr group);
    [DllImport(L, ExactSpelling = true)] internal static extern IntPtr dsh_dist_allgather(IntPtr group, IntPtr t, int size);
    [DllImport(L, ExactSpelling = true)]
    internal static extern int dsh_dist_store_set(IntPtr store, [MarshalAs(UnmanagedType.LPUTF8Str)] string key, [MarshalAs(UnmanagedType.LPUTF8Str)] string value);
    [DllImport(L, ExactSpelling = true)]
    internal static extern int dsh_dist_store_wait(IntPtr store, [MarshalAs(UnmanagedType.LPUTF8Str)] string key, long timeoutMs);
}
