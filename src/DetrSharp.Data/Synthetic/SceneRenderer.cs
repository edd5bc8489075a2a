using DetrSharp.Data.Drawing;
using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Synthetic;

/// <summary>
/// Renders one synthetic scene from a seed: a textured background and 1..maxObjects shapes of random class, colour
/// and size (small to large, log-uniform), later shapes occluding earlier ones, a shape partly outside the frame
/// allowed. Shapes left less than <see cref="MinVisibleFraction"/> visible are removed from the picture.
/// </summary>
internal static class SceneRenderer
{
    internal const double MinVisibleFraction = 0.3;
    const int MinVisiblePixels = 6;
    const double MinSizeFraction = 0.08, MaxSizeFraction = 0.55;
    const double ShadeRange = 160; // brightness change across a shape at the largest shading

    static readonly Rgb[] Palette =
    [
        new(220, 30, 30), new(30, 170, 40), new(30, 60, 220), new(240, 215, 30), new(210, 40, 200),
        new(30, 200, 210), new(245, 135, 20), new(245, 245, 245), new(15, 15, 15), new(120, 40, 170),
    ];

    // SyntheticStyle.Pastel: light, soft tones, none of them in Palette
    static readonly Rgb[] PastelPalette =
    [
        new(250, 180, 190), new(180, 235, 190), new(175, 200, 250), new(250, 240, 170), new(225, 190, 245),
        new(170, 235, 235), new(250, 210, 170), new(200, 200, 215),
    ];

    readonly record struct Placement(ShapeKind Kind, double Cx, double Cy, double HalfW, double HalfH, Rgb Color,
        double ShadeU, double ShadeV);

    internal static SyntheticScene Render(int size, ulong seed, int maxObjects, SyntheticStyle style = SyntheticStyle.Standard)
    {
        var rng = new Xoshiro256StarStar(seed);
        var pixels = new byte[size * size * 3];
        var backgroundMean = style == SyntheticStyle.Pastel
            ? PastelBackgroundPainter.Paint(ref rng, pixels, size)
            : BackgroundPainter.Paint(ref rng, pixels, size);
        var palette = style == SyntheticStyle.Pastel ? PastelPalette : Palette;
        int count = rng.NextInt(1, maxObjects);
        var placements = new Placement[count];
        for (int i = 0; i < count; i++) placements[i] = Place(ref rng, size, backgroundMean, palette);

        var labels = new short[size * size];
        var alive = Enumerable.Repeat(true, count).ToArray();
        var totals = placements.Select(p => CountInside(p)).ToArray();
        var boxes = new (int X1, int Y1, int X2, int Y2, int Visible)[count];
        // Removing a mostly hidden shape only uncovers others, so this settles in a few rounds.
        while (true)
        {
            Paint(labels, size, placements, alive);
            Measure(labels, size, boxes);
            bool dropped = false;
            for (int k = 0; k < count; k++)
            {
                if (!alive[k]) continue;
                var b = boxes[k];
                if (b.Visible < MinVisiblePixels || b.Visible < MinVisibleFraction * totals[k] || b.X2 - b.X1 < 2 || b.Y2 - b.Y1 < 2)
                {
                    alive[k] = false;
                    dropped = true;
                }
            }
            if (!dropped) break;
        }

        Colorize(ref rng, pixels, labels, size, placements);
        var objects = new List<SyntheticObject>();
        var objectOf = new short[count];
        for (int k = 0; k < count; k++)
        {
            objectOf[k] = (short)(alive[k] ? objects.Count : -1);
            if (!alive[k]) continue;
            var b = boxes[k];
            objects.Add(new SyntheticObject(placements[k].Kind, b.X1, b.Y1, b.X2 - b.X1, b.Y2 - b.Y1, b.Visible));
        }
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= 0) labels[i] = objectOf[labels[i]];
        return new SyntheticScene(new RgbImage(size, size, pixels), objects) { ObjectMap = labels };
    }

    static Placement Place(ref Xoshiro256StarStar rng, int size, Rgb background, Rgb[] palette)
    {
        var kind = (ShapeKind)rng.NextInt(ShapeGeometry.KindCount);
        double side = Math.Exp(rng.NextDouble(Math.Log(MinSizeFraction * size), Math.Log(MaxSizeFraction * size)));
        side = Math.Max(side, 6);
        double aspect = kind is ShapeKind.Circle or ShapeKind.Square ? rng.NextDouble(0.85, 1.18) : rng.NextDouble(0.75, 1.33);
        double hw = side / 2, hh = side * aspect / 2;
        // up to a quarter of the width/height may fall outside the frame
        double cx = rng.NextDouble(hw / 2, size - hw / 2), cy = rng.NextDouble(hh / 2, size - hh / 2);
        var color = PickColor(ref rng, background, palette);
        double shade = rng.NextDouble(0, 0.25), theta = rng.NextDouble(0, 2 * Math.PI);
        return new Placement(kind, cx, cy, hw, hh, color, shade * Math.Cos(theta), shade * Math.Sin(theta));
    }

    /// <summary>A palette colour far from the background's mean (the farthest of a few draws).</summary>
    static Rgb PickColor(ref Xoshiro256StarStar rng, Rgb background, Rgb[] palette)
    {
        Rgb best = palette[0];
        int bestDistance = -1;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            var c = palette[rng.NextInt(palette.Length)];
            int dr = c.R - background.R, dg = c.G - background.G, db = c.B - background.B;
            int d = dr * dr + dg * dg + db * db;
            if (d > bestDistance) { best = c; bestDistance = d; }
            if (d >= 110 * 110) break;
        }
        return best;
    }

    /// <summary>Pixels of the whole shape, the part outside the frame included.</summary>
    static int CountInside(Placement p)
    {
        int n = 0;
        for (int y = (int)Math.Floor(p.Cy - p.HalfH); y <= (int)Math.Ceiling(p.Cy + p.HalfH); y++)
            for (int x = (int)Math.Floor(p.Cx - p.HalfW); x <= (int)Math.Ceiling(p.Cx + p.HalfW); x++)
                if (Inside(p, x, y)) n++;
        return n;
    }

    static bool Inside(Placement p, int x, int y) =>
        ShapeGeometry.Inside(p.Kind, (x + 0.5 - p.Cx) / p.HalfW, (y + 0.5 - p.Cy) / p.HalfH);

    static void Paint(short[] labels, int size, Placement[] placements, bool[] alive)
    {
        Array.Fill(labels, (short)-1);
        for (int k = 0; k < placements.Length; k++)
        {
            if (!alive[k]) continue;
            var p = placements[k];
            int y0 = Math.Max(0, (int)Math.Floor(p.Cy - p.HalfH)), y1 = Math.Min(size - 1, (int)Math.Ceiling(p.Cy + p.HalfH));
            int x0 = Math.Max(0, (int)Math.Floor(p.Cx - p.HalfW)), x1 = Math.Min(size - 1, (int)Math.Ceiling(p.Cx + p.HalfW));
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++)
                    if (Inside(p, x, y)) labels[y * size + x] = (short)k;
        }
    }

    /// <summary>Per object: the tight box [X1, X2) × [Y1, Y2) of its visible pixels and their count.</summary>
    static void Measure(short[] labels, int size, (int X1, int Y1, int X2, int Y2, int Visible)[] boxes)
    {
        for (int k = 0; k < boxes.Length; k++) boxes[k] = (int.MaxValue, int.MaxValue, int.MinValue, int.MinValue, 0);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                int k = labels[y * size + x];
                if (k < 0) continue;
                var b = boxes[k];
                boxes[k] = (Math.Min(b.X1, x), Math.Min(b.Y1, y), Math.Max(b.X2, x + 1), Math.Max(b.Y2, y + 1), b.Visible + 1);
            }
        }
    }

    /// <summary>Paints the shapes' colours (with a gentle shading gradient) over the background, then light noise everywhere.</summary>
    static void Colorize(ref Xoshiro256StarStar rng, byte[] pixels, short[] labels, int size, Placement[] placements)
    {
        int noise = rng.NextInt(2, 8);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                int o = (y * size + x) * 3;
                int k = labels[y * size + x];
                if (k >= 0)
                {
                    var p = placements[k];
                    double u = (x + 0.5 - p.Cx) / p.HalfW, v = (y + 0.5 - p.Cy) / p.HalfH;
                    double shade = (p.ShadeU * u + p.ShadeV * v) * ShadeRange;
                    pixels[o] = BackgroundPainter.Clamp(p.Color.R + shade);
                    pixels[o + 1] = BackgroundPainter.Clamp(p.Color.G + shade);
                    pixels[o + 2] = BackgroundPainter.Clamp(p.Color.B + shade);
                }
                var (n0, n1, n2) = rng.NextNoise3(noise);
                pixels[o] = BackgroundPainter.Clamp(pixels[o] + n0);
                pixels[o + 1] = BackgroundPainter.Clamp(pixels[o + 1] + n1);
                pixels[o + 2] = BackgroundPainter.Clamp(pixels[o + 2] + n2);
            }
        }
    }
}
