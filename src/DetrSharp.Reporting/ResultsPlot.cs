using ScottPlot;

namespace DetrSharp.Reporting;

/// <summary>
/// results.png: one small plot per logged quantity (every loss term, learning rate, AP, AP50 ...) against step,
/// as ultralytics' results.png shows its results.csv columns.
/// </summary>
public static class ResultsPlot
{
    /// <param name="path">Where the PNG goes.</param>
    /// <param name="series">Name → (step, value) points in step order; names with no points are left out.</param>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, IReadOnlyList<(double Step, double Value)>>> series)
    {
        var plots = new List<Plot>();
        foreach (var (name, points) in series)
        {
            if (points.Count == 0) continue;
            var plot = new Plot();
            var line = plot.Add.Scatter(points.Select(p => p.Step).ToArray(), points.Select(p => p.Value).ToArray());
            line.MarkerSize = points.Count > 40 ? 0 : 4;
            line.LineWidth = 1.5f;
            plot.Title(name, size: 14);
            plot.XLabel("step", size: 11);
            plots.Add(plot);
        }
        if (plots.Count == 0)
        {
            var empty = new Plot();
            empty.Title("no rows in log.jsonl yet");
            plots.Add(empty);
        }
        PlotGrid.Write(path, plots, columns: 5, cellWidth: 320, cellHeight: 240);
    }
}
