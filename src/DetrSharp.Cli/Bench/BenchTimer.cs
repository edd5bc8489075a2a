using System.Diagnostics;

namespace DetrSharp.Cli.Bench;

/// <summary>Times an action: warm-up runs first, then the timed runs, each in milliseconds.</summary>
public static class BenchTimer
{
    public static List<double> Measure(Action action, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++) action();
        var times = new List<double>(runs);
        for (int i = 0; i < runs; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        return times;
    }
}
