using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace DetrSharp.Assignment;

/// <summary>
/// One <see cref="LinearSumAssignment.SolveBatch"/> call: the calling thread and up to width - 1 workers (the warm
/// <see cref="BatchWorkers"/>, or thread-pool items when another batch holds them) take matrices from a shared counter
/// until none are left, so a worker that starts late simply finds less to do. The caller returns once every matrix
/// taken has been solved.
/// </summary>
internal sealed class BatchRun : IThreadPoolWorkItem
{
    readonly IReadOnlyList<CostMatrix> _matrices;
    readonly bool _maximize;
    readonly Assignment[] _results;
    readonly ExceptionDispatchInfo?[] _errors;
    readonly ManualResetEventSlim _finished = new(false);
    int _next = -1;
    int _helperSlots;
    int _unfinished;

    public BatchRun(IReadOnlyList<CostMatrix> matrices, bool maximize)
    {
        _matrices = matrices;
        _maximize = maximize;
        _results = new Assignment[matrices.Count];
        _errors = new ExceptionDispatchInfo?[matrices.Count];
        _unfinished = matrices.Count;
    }

    /// <summary>Solves every matrix with at most <paramref name="width"/> threads; the errors are by index.</summary>
    public (Assignment[] Results, ExceptionDispatchInfo?[] Errors) Run(int width)
    {
        // The warm workers (at most one per other core) when free, the thread pool for the rest; the slots keep the
        // helpers that join to width - 1 however many are woken.
        int helpers = width - 1;
        _helperSlots = helpers;
        int warmCount = Math.Min(helpers, Environment.ProcessorCount - 1);
        var workers = warmCount > 0 ? BatchWorkers.Shared(warmCount) : null;
        bool warm = workers?.TryRun(this) ?? false;
        for (int t = warm ? warmCount : 0; t < helpers; t++) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        try
        {
            Work();
            WaitForWorkers();
        }
        finally
        {
            if (warm) workers!.Done();
        }
        return (_results, _errors);
    }

    /// <summary>
    /// Waits for the matrices workers are still solving: at most one each, so spin briefly first (waking a
    /// blocked thread costs tens of microseconds on a virtual machine), then block.
    /// </summary>
    void WaitForWorkers()
    {
        long giveUp = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 1000 * SpinMs;
        while (Volatile.Read(ref _unfinished) != 0)
        {
            if (Stopwatch.GetTimestamp() > giveUp)
            {
                _finished.Wait();
                return;
            }
            Thread.SpinWait(20);
        }
    }

    const int SpinMs = 1;

    /// <summary>A helper joins (a thread-pool item or a warm worker): at most width - 1 do, however many try.</summary>
    public void Execute()
    {
        if (Interlocked.Decrement(ref _helperSlots) < 0) return;
        Work();
    }

    /// <summary>The loop every participant runs: take the next matrix until none are left.</summary>
    void Work()
    {
        int count = _results.Length;
        while (true)
        {
            int k = Interlocked.Increment(ref _next);
            if (k >= count) return;
            try
            {
                _results[k] = _matrices[k].Solve(_maximize);
            }
            catch (Exception e)
            {
                _errors[k] = ExceptionDispatchInfo.Capture(e);
            }
            if (Interlocked.Decrement(ref _unfinished) == 0) _finished.Set();
        }
    }
}
