using System.Runtime.InteropServices;

namespace DetrSharp.Training;

/// <summary>
/// Turns SIGTERM (docker stop, Slurm pre-emption) and the first Ctrl-C (SIGINT) into a cancelled
/// <see cref="Token"/>, so a run finishes its step, writes a checkpoint and exits; a second Ctrl-C ends the process
/// at once (exit status 130). Dispose to restore the default handling.
/// </summary>
public sealed class InterruptSignals : IDisposable
{
    readonly CancellationTokenSource _cancel = new();
    readonly PosixSignalRegistration[] _registrations;
    readonly Action<string>? _notify;
    int _interrupts;

    /// <param name="notify">told once, on the first signal, what will happen (for the console)</param>
    public InterruptSignals(Action<string>? notify = null)
    {
        _notify = notify;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle), PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle)];
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>The first signal received ("SIGTERM" or "Ctrl-C"), or null.</summary>
    public string? Reason { get; private set; }

    /// <summary>The exit status of a process that stops for <see cref="Reason"/>: 143 for SIGTERM, 130 for Ctrl-C, as shells report them.</summary>
    public int ExitCode => Reason == "SIGTERM" ? 143 : 130;

    void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _interrupts) > 1)
        {
            if (context.Signal != PosixSignal.SIGINT) return;
            Console.Error.WriteLine("detrsharp: interrupted again: stopping now without a checkpoint (the last one is kept)");
            ExitNow(130);
        }
        Reason = context.Signal == PosixSignal.SIGTERM ? "SIGTERM" : "Ctrl-C";
        _notify?.Invoke($"{Reason}: finishing the current step, then writing a checkpoint and stopping (Ctrl-C again stops at once)");
        _cancel.Cancel();
    }

    // Environment.Exit would run libtorch's static destructors while the training thread is inside libtorch (a
    // crash, status 139); _exit ends the process at once, as a second Ctrl-C should. Files are written atomically,
    // so nothing half-written is left under a final name.
    static void ExitNow(int status)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _exit(status);
        Environment.Exit(status);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    static extern void _exit(int status);

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cancel.Dispose();
    }
}
