using ScottPlot;

namespace DetrSharp.Reporting;

/// <summary>One training box as labels.png reads it: class index and size relative to its image.</summary>
public readonly record struct LabelBox(int Class, double RelativeWidth, double RelativeHeight);

/// <summary>labels.png: instances per class, and the boxes' width against height (relative to the image) of the training set.</summary>
public static class LabelsPlot
{
    public static void Write(string path, IReadOnlyList<LabelBox> boxes, IReadOnlyList<string> names)
    {
        var counts = new double[names.Count];
        foreach (var b in boxes)
            if ((uint)b.Class < (uint)names.Count) counts[b.Class]++;
        var bars = new Plot();
        var positions = Enumerable.Range(0, names.Count).Select(i => (double)i).ToArray();
        var bp = bars.Add.Bars(positions, counts);
        for (int i = 0; i < bp.Bars.Count; i++) bp.Bars[i].FillColor = ColorOf(i);
        bars.Axes.Bottom.SetTicks(positions, names.ToArray());
        bars.Axes.Margins(bottom: 0);
        bars.Title($"instances per class ({boxes.Count} boxes)");
        bars.YLabel("instances");

        var sizes = new Plot();
        for (int k = 0; k < names.Count; k++)
        {
            var of = boxes.Where(b => b.Class == k).ToList();
            if (of.Count == 0) continue;
            var s = sizes.Add.ScatterPoints(of.Select(b => b.RelativeWidth).ToArray(), of.Select(b => b.RelativeHeight).ToArray(), ColorOf(k));
            s.MarkerSize = 3;
            s.LegendText = names[k];
        }
        sizes.Axes.SetLimits(0, 1, 0, 1);
        sizes.Title("box size (fraction of the image)");
        sizes.XLabel("width");
        sizes.YLabel("height");
        sizes.ShowLegend(Alignment.UpperRight);
        PlotGrid.Write(path, [bars, sizes], 2, 520, 440);
    }

    static Color ColorOf(int k)
    {
        var c = Data.Drawing.Rgb.ForClass(k);
        return new Color(c.R, c.G, c.B);
    }
}
