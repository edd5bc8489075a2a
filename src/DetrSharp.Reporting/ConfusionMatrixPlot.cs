using DetrSharp.Evaluation;
using ScottPlot;

namespace DetrSharp.Reporting;

/// <summary>
/// confusion_matrix.png: the column-normalised matrix (each true class sums to 1) with the background row and
/// column, predicted classes down, true classes across, values printed in their cells (ultralytics' plot).
/// </summary>
public static class ConfusionMatrixPlot
{
    /// <param name="names">Class names in label order (background is added).</param>
    public static void Write(string path, ConfusionMatrix matrix, IReadOnlyList<string> names)
    {
        if (names.Count != matrix.Classes)
            throw new ArgumentException($"{names.Count} class names for a matrix of {matrix.Classes} classes", nameof(names));
        int n = matrix.Classes + 1;
        var norm = matrix.Normalized();
        var labels = names.Append("background").ToArray();
        var plot = new Plot();
        var heat = plot.Add.Heatmap(norm);
        heat.Colormap = new ScottPlot.Colormaps.Reversed(new ScottPlot.Colormaps.Blues()); // white at 0, dark blue at 1
        heat.ManualRange = new ScottPlot.Range(0, 1);
        // the heatmap puts row 0 at the top: cell (p, t) is centred on x = t, y = n - 1 - p
        heat.Extent = new CoordinateRect(-0.5, n - 0.5, -0.5, n - 0.5);
        float fontSize = Math.Clamp(220f / n, 7, 16);
        for (int p = 0; p < n; p++)
            for (int t = 0; t < n; t++)
            {
                if (norm[p, t] < 0.005) continue;
                var text = plot.Add.Text(norm[p, t].ToString("F2"), t, n - 1 - p);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelFontColor = norm[p, t] > 0.5 ? Colors.White : Colors.Black;
            }
        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, labels);
        plot.Axes.Left.SetTicks(positions.Select(x => (double)(n - 1 - x)).ToArray(), labels);
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Title($"Confusion matrix (normalised; IoU > {matrix.IouThreshold}, score > {matrix.Confidence})");
        plot.XLabel("True");
        plot.YLabel("Predicted");
        plot.Add.ColorBar(heat);
        PlotGrid.Write(path, [plot], 1, 760, 640);
    }
}
