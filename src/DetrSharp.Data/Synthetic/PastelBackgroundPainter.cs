using DetrSharp.Data.Drawing;

namespace DetrSharp.Data.Synthetic;

/// <summary>
/// The backgrounds of <see cref="SyntheticStyle.Pastel"/>: a dark base with a darker or lighter second tone laid as
/// dots, concentric rings, thin diagonal hatching or soft blotches (a sum of a few low-frequency waves), plus noise.
/// None of these families is among <see cref="BackgroundPainter"/>'s.
/// </summary>
internal static class PastelBackgroundPainter
{
    /// <summary>Fills <paramref name="pixels"/> (<c>[size, size, 3]</c>) with a random dark background; returns its mean colour.</summary>
    internal static Rgb Paint(ref Xoshiro256StarStar rng, byte[] pixels, int size)
    {
        var a = DarkColor(ref rng);
        var b = DarkColor(ref rng);
        int style = rng.NextInt(4);
        double spacing = rng.NextDouble(6, 16), radius = rng.NextDouble(1.5, 4);
        double angle = rng.NextDouble(0, Math.PI), dx = Math.Cos(angle), dy = Math.Sin(angle);
        double rcx = rng.NextDouble(0, size), rcy = rng.NextDouble(0, size);
        var waves = new (double Fx, double Fy, double Phase)[3];
        for (int i = 0; i < waves.Length; i++)
            waves[i] = (rng.NextDouble(-3, 3) * 2 * Math.PI / size, rng.NextDouble(-3, 3) * 2 * Math.PI / size, rng.NextDouble(0, 2 * Math.PI));
        int noise = rng.NextInt(4, 16);
        long sr = 0, sg = 0, sb = 0;
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double t = style switch
                {
                    0 => Dot(x, y, spacing, radius),
                    1 => Math.Floor(Math.Sqrt((x - rcx) * (x - rcx) + (y - rcy) * (y - rcy)) / (spacing / 2)) % 2,
                    2 => ((x * dx + y * dy) % spacing + spacing) % spacing < 1.5 ? 1 : 0,
                    _ => 0.5 + (Math.Sin(waves[0].Fx * x + waves[0].Fy * y + waves[0].Phase)
                              + Math.Sin(waves[1].Fx * x + waves[1].Fy * y + waves[1].Phase)
                              + Math.Sin(waves[2].Fx * x + waves[2].Fy * y + waves[2].Phase)) / 6,
                };
                int o = (y * size + x) * 3;
                var (n0, n1, n2) = rng.NextNoise3(noise);
                pixels[o] = BackgroundPainter.Clamp(a.R + (b.R - a.R) * t + n0);
                pixels[o + 1] = BackgroundPainter.Clamp(a.G + (b.G - a.G) * t + n1);
                pixels[o + 2] = BackgroundPainter.Clamp(a.B + (b.B - a.B) * t + n2);
                sr += pixels[o]; sg += pixels[o + 1]; sb += pixels[o + 2];
            }
        }
        long n = (long)size * size;
        return new Rgb((byte)(sr / n), (byte)(sg / n), (byte)(sb / n));
    }

    // 1 inside the dot of the grid cell holding (x, y), 0 outside
    static double Dot(int x, int y, double spacing, double radius)
    {
        double u = x % spacing - spacing / 2, v = y % spacing - spacing / 2;
        return u * u + v * v <= radius * radius ? 1 : 0;
    }

    /// <summary>A dark tone (grey level 10..90) with a slight tint, so the pastel shapes stand out.</summary>
    static Rgb DarkColor(ref Xoshiro256StarStar rng)
    {
        int gray = rng.NextInt(10, 90);
        return new Rgb(BackgroundPainter.Clamp(gray + rng.NextInt(-20, 20)), BackgroundPainter.Clamp(gray + rng.NextInt(-20, 20)),
            BackgroundPainter.Clamp(gray + rng.NextInt(-20, 20)));
    }
}
