using DetrSharp.Data.Drawing;

namespace DetrSharp.Data.Synthetic;

/// <summary>Textured backgrounds for synthetic scenes: noisy flat colour, linear and radial gradients, stripes, checkers.</summary>
internal static class BackgroundPainter
{
    /// <summary>Fills <paramref name="pixels"/> (<c>[size, size, 3]</c>) with a random background; returns its mean colour.</summary>
    internal static Rgb Paint(ref Xoshiro256StarStar rng, byte[] pixels, int size)
    {
        var a = MutedColor(ref rng);
        var b = MutedColor(ref rng);
        int style = rng.NextInt(5);
        double angle = rng.NextDouble(0, Math.PI);
        double dx = Math.Cos(angle), dy = Math.Sin(angle);
        double period = rng.NextDouble(4, 20);
        int cell = rng.NextInt(4, 16);
        double rcx = rng.NextDouble(0, size), rcy = rng.NextDouble(0, size);
        int noise = style == 0 ? rng.NextInt(10, 35) : rng.NextInt(0, 12);
        long sr = 0, sg = 0, sb = 0;
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double t = style switch
                {
                    0 => 0,
                    1 => ((x - size / 2.0) * dx + (y - size / 2.0) * dy) / (size * 1.42) + 0.5,
                    2 => Math.Floor((x * dx + y * dy) / period) % 2 == 0 ? 0 : 1,
                    3 => ((x / cell) + (y / cell)) % 2,
                    _ => Math.Min(1.0, Math.Sqrt((x - rcx) * (x - rcx) + (y - rcy) * (y - rcy)) / size),
                };
                int o = (y * size + x) * 3;
                var (n0, n1, n2) = noise == 0 ? (0, 0, 0) : rng.NextNoise3(noise);
                pixels[o] = Clamp(a.R + (b.R - a.R) * t + n0);
                pixels[o + 1] = Clamp(a.G + (b.G - a.G) * t + n1);
                pixels[o + 2] = Clamp(a.B + (b.B - a.B) * t + n2);
                sr += pixels[o]; sg += pixels[o + 1]; sb += pixels[o + 2];
            }
        }
        long n = (long)size * size;
        return new Rgb((byte)(sr / n), (byte)(sg / n), (byte)(sb / n));
    }

    /// <summary>A desaturated mid-tone, so the saturated shape colours stand out.</summary>
    static Rgb MutedColor(ref Xoshiro256StarStar rng)
    {
        int gray = rng.NextInt(40, 215);
        return new Rgb(Clamp(gray + rng.NextInt(-40, 40)), Clamp(gray + rng.NextInt(-40, 40)), Clamp(gray + rng.NextInt(-40, 40)));
    }

    internal static byte Clamp(double v) => (byte)Math.Clamp((int)Math.Round(v), 0, 255);
}
