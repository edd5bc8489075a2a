using DetrSharp.Evaluation;
using ScottPlot;

namespace DetrSharp.Reporting;

/// <summary>
/// PR_curve.png (precision against recall per class at IoU 0.5, the mean over classes bold, AP50 in the legend) and
/// F1_curve.png (F1 against confidence per class, the mean bold with its best confidence), as ultralytics draws them.
/// </summary>
public static class CurvePlots
{
    /// <param name="curves">Per-category curves (<see cref="PrecisionRecallCurves.At"/>).</param>
    /// <param name="nameOf">Display name of a category id.</param>
    public static void WritePrecisionRecall(string path, IReadOnlyList<ClassCurve> curves, Func<long, string> nameOf)
    {
        var plot = NewPlot("Precision-Recall (IoU 0.5)", "Recall", "Precision");
        foreach (var c in curves)
            Line(plot, c.Recall, c.Precision, $"{nameOf(c.CategoryId)} {c.AP:F3}", 1);
        if (curves.Count > 0)
        {
            var mean = Mean(curves.Select(c => c.Precision).ToList());
            Line(plot, curves[0].Recall, mean, $"all classes {mean.Average():F3} mAP@0.5", 3, Colors.Blue);
        }
        Finish(plot);
        PlotGrid.Write(path, [plot], 1, 900, 540);
    }

    public static void WriteF1(string path, IReadOnlyList<ClassCurve> curves, Func<long, string> nameOf)
    {
        var plot = NewPlot("F1-Confidence (IoU 0.5)", "Confidence", "F1");
        // a common confidence grid: each class's F1 at the last recall point still reached at that confidence
        var grid = Enumerable.Range(0, 101).Select(i => i / 100.0).ToArray();
        var perClass = new List<double[]>();
        foreach (var c in curves)
        {
            var f1 = c.F1;
            var onGrid = grid.Select(g =>
            {
                double best = 0;
                for (int r = 0; r < f1.Length; r++)
                    if (c.Precision[r] > 0 && c.Confidence[r] >= g) best = f1[r];
                return best;
            }).ToArray();
            perClass.Add(onGrid);
            Line(plot, grid, onGrid, nameOf(c.CategoryId), 1);
        }
        if (curves.Count > 0)
        {
            var mean = Mean(perClass);
            int at = Array.IndexOf(mean, mean.Max());
            Line(plot, grid, mean, $"all classes {mean[at]:F2} at {grid[at]:F2}", 3, Colors.Blue);
        }
        Finish(plot);
        PlotGrid.Write(path, [plot], 1, 900, 540);
    }

    static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        return plot;
    }

    static void Finish(Plot plot)
    {
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        plot.ShowLegend(Edge.Right); // beside the plot, as ultralytics places it: never over the curves
    }

    static void Line(Plot plot, double[] x, double[] y, string label, float width, Color? color = null)
    {
        var s = plot.Add.ScatterLine(x, y, color);
        s.LineWidth = width;
        s.LegendText = label;
    }

    static double[] Mean(IReadOnlyList<double[]> rows)
        => Enumerable.Range(0, rows[0].Length).Select(i => rows.Average(r => r[i])).ToArray();
}
