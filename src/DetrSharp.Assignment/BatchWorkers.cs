using System.Diagnostics;

namespace DetrSharp.Assignment;

/// <summary>
/// Dedicated helper threads for <see cref="LinearSumAssignment.SolveBatch"/>, kept warm the way OpenMP keeps its
/// team: after a batch each worker spins for a short while (<see cref="SpinMicroseconds"/>) watching for the next one,
/// then parks on a semaphore. A batch posted while they spin starts on every core at once; waking a parked thread
/// costs tens of microseconds on a virtual machine, as much as solving a whole 900x50 matrix.
/// One batch runs on the workers at a time; a concurrent caller gets <c>false</c> from <see cref="TryRun"/> and uses
/// the thread pool instead.
/// </summary>
internal sealed class BatchWorkers
{
    const int SpinMicroseconds = 500;
    static readonly object Gate = new();
    static BatchWorkers? _shared;

    readonly SemaphoreSlim _wake = new(0);
    BatchRun? _current;
    long _generation;
    int _parked, _busy, _threads;

    /// <summary>The process's workers, grown to at least <paramref name="helpers"/> threads.</summary>
    public static BatchWorkers Shared(int helpers)
    {
        lock (Gate)
        {
            _shared ??= new BatchWorkers();
            while (_shared._threads < helpers) _shared.Start();
            return _shared;
        }
    }

    void Start()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = $"lsa-batch-{_threads}" };
        _threads++;
        thread.Start();
    }

    /// <summary>Hands <paramref name="run"/> to the workers (the caller then takes part itself); false when busy.</summary>
    public bool TryRun(BatchRun run)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return false;
        Volatile.Write(ref _current, run);
        Interlocked.Increment(ref _generation);
        int parked = Volatile.Read(ref _parked);
        if (parked > 0) _wake.Release(parked);
        return true;
    }

    /// <summary>Called by the poster once its run has finished: the workers may take the next one.</summary>
    public void Done() => Volatile.Write(ref _busy, 0);

    void Loop()
    {
        long seen = 0;
        long spin = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
        while (true)
        {
            long giveUp = Stopwatch.GetTimestamp() + spin;
            while (Volatile.Read(ref _generation) == seen)
            {
                if (Stopwatch.GetTimestamp() < giveUp)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                Interlocked.Increment(ref _parked);
                // Interlocked orders this read after the increment: a post that missed us sees _parked > 0.
                if (Interlocked.Read(ref _generation) == seen) _wake.Wait();
                Interlocked.Decrement(ref _parked);
                giveUp = Stopwatch.GetTimestamp() + spin;
            }
            seen = Volatile.Read(ref _generation);
            // A run that has already finished simply has nothing left to take.
            Volatile.Read(ref _current)?.Execute();
        }
    }
}
