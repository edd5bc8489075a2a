using System.Globalization;

namespace DetrSharp.Data.Yolo;

/// <summary>One object of a YOLO label file: a class index and a box normalised to the image, centre and size.</summary>
public readonly record struct YoloLabel(int Class, double Cx, double Cy, double W, double H);

/// <summary>What a label file holds: its objects (duplicates dropped), or the first problem, naming the file and line.</summary>
public sealed record YoloLabelFileContent(IReadOnlyList<YoloLabel> Labels, int Duplicates, string? Problem);

/// <summary>
/// Parses and checks a YOLO label file as ultralytics' verify_image_label does: one object a line,
/// <c>class cx cy w h</c> (or a polygon <c>class x1 y1 x2 y2 x3 y3 ...</c>, boxed), every coordinate normalised to
/// [0, 1], the class in 0..nc-1. A wrong column count, a value that is not a number, a class out of range, a
/// coordinate beyond [0, 1] or a box of no width or height makes the whole file bad; exact duplicate lines are dropped.
/// </summary>
public static class YoloLabelFile
{
    /// <summary>How far a coordinate may lie outside [0, 1] (rounding of the tools that write label files).</summary>
    public const double Tolerance = 1e-6;

    /// <summary>Parses label file text; <paramref name="file"/> is what messages call it.</summary>
    public static YoloLabelFileContent Parse(string text, string file, int classCount)
    {
        var labels = new List<YoloLabel>();
        var seen = new HashSet<(int, float, float, float, float)>();
        int duplicates = 0, lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var tokens = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) continue;
            string at = $"{file} line {lineNumber}";
            var problem = ParseLine(tokens, classCount, out var label);
            if (problem != null) return new YoloLabelFileContent([], 0, $"{at}: {problem}");
            // ultralytics compares the rows as float32
            if (!seen.Add((label.Class, (float)label.Cx, (float)label.Cy, (float)label.W, (float)label.H))) { duplicates++; continue; }
            labels.Add(label);
        }
        return new YoloLabelFileContent(labels, duplicates, null);
    }

    static string? ParseLine(string[] tokens, int classCount, out YoloLabel label)
    {
        label = default;
        int n = tokens.Length;
        bool polygon = n > 6 && (n - 1) % 2 == 0;
        if (n != 5 && !polygon)
            return $"{n} values; a box is 'class cx cy w h' (5 values), a polygon 'class x1 y1 x2 y2 x3 y3 ...' (an odd number, at least 7)";
        var v = new double[n];
        for (int i = 0; i < n; i++)
            if (!double.TryParse(tokens[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !double.IsFinite(v[i]))
                return $"'{tokens[i]}' (value {i + 1}) is not a number";
        if (v[0] != Math.Floor(v[0])) return $"class {tokens[0]} is not a whole number";
        if (v[0] < 0) return $"class {tokens[0]} is negative";
        if (v[0] >= classCount) return $"class {tokens[0]} is out of range: the dataset has {classCount} classes (0-{classCount - 1})";
        for (int i = 1; i < n; i++)
        {
            if (v[i] > 1 + Tolerance) return $"coordinate {tokens[i]} (value {i + 1}) is above 1: coordinates are normalised to the image size (pixels / width or height)";
            if (v[i] < -Tolerance) return $"coordinate {tokens[i]} (value {i + 1}) is negative";
        }
        for (int i = 1; i < n; i++) v[i] = Math.Clamp(v[i], 0, 1);
        double cx, cy, w, h;
        if (polygon)
        {
            double x0 = 1, y0 = 1, x1 = 0, y1 = 0;
            for (int i = 1; i < n; i += 2)
            {
                x0 = Math.Min(x0, v[i]); x1 = Math.Max(x1, v[i]);
                y0 = Math.Min(y0, v[i + 1]); y1 = Math.Max(y1, v[i + 1]);
            }
            (cx, cy, w, h) = ((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0);
        }
        else (cx, cy, w, h) = (v[1], v[2], v[3], v[4]);
        if (w <= 0 || h <= 0)
            return $"degenerate box: width {Show(w)} and height {Show(h)} must both be positive";
        label = new YoloLabel((int)v[0], cx, cy, w, h);
        return null;
    }

    static string Show(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>One label line, normalised values with six decimals (as ultralytics' converters write them).</summary>
    public static string Format(YoloLabel l) => string.Create(CultureInfo.InvariantCulture,
        $"{l.Class} {l.Cx:F6} {l.Cy:F6} {l.W:F6} {l.H:F6}");
}
