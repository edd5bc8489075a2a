using DetrSharp.Data.Imaging;
using DetrSharp.Data.Synthetic;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// ultralytics' MixUp: with probability <paramref name="p"/>, a second sample drawn at random from
/// <paramref name="source"/> goes through <paramref name="preTransform"/> (the same mosaic / letterbox and
/// perspective as the first, so both have the same size) and the two are blended, ⌊a·r + b·(1 − r)⌋ with
/// r ~ Beta(32, 32); the objects of both are kept.
/// </summary>
public sealed class MixUp(ISampleSource source, IDetectionTransform preTransform, double p) : IDetectionTransform
{
    public DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng)
    {
        if (rng.NextDouble() >= p || source.Count == 0) return sample;
        var other = preTransform.Apply(source.Load(rng.NextInt(source.Count)), ref rng);
        double r = Beta(32, 32, ref rng);
        return Blend(sample, other, r);
    }

    /// <summary>a·r + b·(1 − r), truncated to bytes; the objects of both.</summary>
    public static DetectionSample Blend(DetectionSample a, DetectionSample b, double r)
    {
        if (a.Image.Width != b.Image.Width || a.Image.Height != b.Image.Height)
            throw new ArgumentException($"mixup needs images of one size: {a.Image.Width}x{a.Image.Height} and {b.Image.Width}x{b.Image.Height}");
        var pa = a.Image.Pixels;
        var pb = b.Image.Pixels;
        var dst = new byte[pa.Length];
        for (int i = 0; i < dst.Length; i++) dst[i] = (byte)(int)(pa[i] * r + pb[i] * (1 - r));
        a.Image = new RgbImage(a.Image.Width, a.Image.Height, dst);
        a.Content = null;
        (a.Boxes, a.Labels, a.Areas) = YoloBoxes.Concat([a, b]);
        return a;
    }

    /// <summary>A Beta(α, β) draw as X / (X + Y) of two Gamma draws.</summary>
    public static double Beta(double alpha, double beta, ref Xoshiro256StarStar rng)
    {
        double x = Gamma(alpha, ref rng), y = Gamma(beta, ref rng);
        return x / (x + y);
    }

    /// <summary>Gamma(shape ≥ 1, scale 1) by Marsaglia and Tsang's method.</summary>
    static double Gamma(double shape, ref Xoshiro256StarStar rng)
    {
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                // Box–Muller
                x = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = 1 - rng.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }
}
