using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace DetrSharp.Assignment;

/// <summary>
/// One <see cref="LinearSumAssignment.SolveBatch"/> call: the calling thread and up to width - 1 thread-pool
/// workers take matrices from a shared counter until none are left, so a worker that starts late simply
/// finds less to do. The caller returns once every matrix taken has been solved.
/// </summary>
internal sealed class BatchRun : IThreadPoolWorkItem
{
    readonly IReadOnlyList<CostMatrix> _matrices;
    readonly bool _maximize;
    readonly Assignment[] _results;
    readonly ExceptionDispatchInfo?[] _errors;
    readonly ManualResetEventSlim _finished = new(false);
    int _next = -1;
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
        for (int t = 1; t < width; t++) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        Execute();
        WaitForWorkers();
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

    /// <summary>The loop every participant runs (the thread pool calls it for the workers).</summary>
    public void Execute()
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
