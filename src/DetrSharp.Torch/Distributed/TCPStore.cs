using DetrSharp.Torch.Native;

namespace DetrSharp.Torch.Distributed;

/// <summary>
/// c10d's TCPStore, the rendezvous of a distributed run (torch.distributed.TCPStore): rank 0 listens on host:port,
/// the others connect to it, retrying until the timeout.
/// </summary>
public sealed class TCPStore : IDisposable
{
    IntPtr _handle;

    /// <param name="host">the master's address (MASTER_ADDR)</param>
    /// <param name="port">the master's port (MASTER_PORT)</param>
    /// <param name="worldSize">processes in the run (WORLD_SIZE)</param>
    /// <param name="isMaster">true on rank 0: this process listens</param>
    /// <param name="timeout">how long a client keeps trying to reach the master</param>
    /// <param name="prefix">put every key under this prefix (torch's PrefixStore); null or empty for none</param>
    /// <exception cref="DistributedException">the port is in use (master) or the master cannot be reached (client)</exception>
    public TCPStore(string host, int port, int worldSize, bool isMaster, TimeSpan timeout, string? prefix = null)
    {
        ProcessGroup.CheckAvailable();
        if (port is <= 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(port), $"the master port must be in [1, 65535]; got {port}");
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), $"the world size must be positive; got {worldSize}");
        var h = NativeMethods.dsh_dist_tcp_store_create(host, port, worldSize, isMaster ? 1 : 0, (long)timeout.TotalMilliseconds, prefix);
        if (h == IntPtr.Zero)
        {
            var cause = TorchException.Last().Message;
            throw new DistributedException(isMaster
                ? $"cannot listen on {host}:{port} for the other ranks (is the port already in use? choose another MASTER_PORT): {cause}"
                : $"cannot reach the master at {host}:{port} within {timeout.TotalSeconds:0} s (is rank 0 running, MASTER_ADDR/MASTER_PORT right, the port open?): {cause}");
        }
        _handle = h;
        Host = host;
        Port = port;
    }

    public string Host { get; }
    public int Port { get; }

    /// <summary>Sets <paramref name="key"/> (a flag the other ranks can wait for).</summary>
    public void Set(string key, string value = "1")
    {
        if (NativeMethods.dsh_dist_store_set(Handle, key, value) < 0)
            throw new DistributedException($"cannot set \"{key}\" in the store at {Host}:{Port}: {TorchException.Last().Message}");
    }

    /// <summary>Waits until some rank has set <paramref name="key"/>; an error after <paramref name="timeout"/> or when the master (rank 0) is gone.</summary>
    public void Wait(string key, TimeSpan timeout)
    {
        if (NativeMethods.dsh_dist_store_wait(Handle, key, (long)timeout.TotalMilliseconds) < 0)
            throw new DistributedException($"waited for \"{key}\" from rank 0 in vain (it exited, or took longer than {timeout.TotalSeconds:0} s): {TorchException.Last().Message}");
    }

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(TCPStore));

    ~TCPStore() => Free();

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    void Free()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) NativeMethods.dsh_dist_store_free(h);
    }
}
