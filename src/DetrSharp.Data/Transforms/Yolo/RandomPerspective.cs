using DetrSharp.Data.Synthetic;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// ultralytics' RandomPerspective: M = T · S · R · P · C (centre the image, perspective, rotation by ±degrees with scale
/// s in [1 − scale, 1 + scale], shear, then translation to (0.5 ± translate) × the output size), the image warped by M
/// bilinearly onto grey 114, output (w + 2·border) × (h + 2·border). Each box's four corners are transformed, the box
/// becomes their bounds clipped to the output, and boxes that no longer look like their object are dropped
/// (<see cref="BoxCandidates"/> against the box scaled by s).
/// </summary>
public sealed class RandomPerspective(YoloAugmentOptions options) : IDetectionTransform
{
    /// <summary>The warp with no border (the non-mosaic path after <see cref="LetterBox"/>).</summary>
    public DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng) => Apply(sample, 0, ref rng);

    /// <param name="border">added on each side of the output (−size/2 after a mosaic, which halves the canvas)</param>
    public DetectionSample Apply(DetectionSample sample, int border, ref Xoshiro256StarStar rng)
    {
        int w = sample.Image.Width + 2 * border, h = sample.Image.Height + 2 * border;
        if (w <= 0 || h <= 0) throw new ArgumentException($"a border of {border} leaves nothing of a {sample.Image.Width}x{sample.Image.Height} image");
        Span<double> m = stackalloc double[9];
        double s = Matrix(sample.Image.Width, sample.Image.Height, w, h, ref rng, m);
        return Transform(sample, m, w, h, s, border != 0);
    }

    /// <summary>Draws M (row-major into <paramref name="m"/>) for an input of iw × ih and an output of ow × oh; returns its scale s.</summary>
    public double Matrix(int iw, int ih, int ow, int oh, ref Xoshiro256StarStar rng, Span<double> m)
    {
        var o = options;
        double px = rng.NextDouble(-o.Perspective, o.Perspective), py = rng.NextDouble(-o.Perspective, o.Perspective);
        double a = rng.NextDouble(-o.Degrees, o.Degrees) * Math.PI / 180, s = rng.NextDouble(1 - o.Scale, 1 + o.Scale);
        double shx = Math.Tan(rng.NextDouble(-o.Shear, o.Shear) * Math.PI / 180), shy = Math.Tan(rng.NextDouble(-o.Shear, o.Shear) * Math.PI / 180);
        double tx = rng.NextDouble(0.5 - o.Translate, 0.5 + o.Translate) * ow, ty = rng.NextDouble(0.5 - o.Translate, 0.5 + o.Translate) * oh;
        // OpenCV's getRotationMatrix2D(centre 0, angle a, scale s): [[α, β], [−β, α]], α = s·cos a, β = s·sin a
        double al = s * Math.Cos(a), be = s * Math.Sin(a);
        Span<double> c = [1, 0, -iw / 2.0, 0, 1, -ih / 2.0, 0, 0, 1];
        Span<double> p = [1, 0, 0, 0, 1, 0, px, py, 1];
        Span<double> r = [al, be, 0, -be, al, 0, 0, 0, 1];
        Span<double> sh = [1, shx, 0, shy, 1, 0, 0, 0, 1];
        Span<double> t = [1, 0, tx, 0, 1, ty, 0, 0, 1];
        Span<double> x = stackalloc double[9], y = stackalloc double[9];
        Multiply(p, c, x);
        Multiply(r, x, y);
        Multiply(sh, y, x);
        Multiply(t, x, m);
        return s;
    }

    /// <summary>
    /// Warps the image by <paramref name="m"/> to <paramref name="width"/> × <paramref name="height"/> (unless M is the
    /// identity and the size stays) and its boxes with it, keeping the <see cref="BoxCandidates"/> against the boxes × <paramref name="scale"/>.
    /// </summary>
    public static DetectionSample Transform(DetectionSample sample, ReadOnlySpan<double> m, int width, int height, double scale, bool resized = false)
    {
        bool identity = m[0] == 1 && m[1] == 0 && m[2] == 0 && m[3] == 0 && m[4] == 1 && m[5] == 0 && m[6] == 0 && m[7] == 0 && m[8] == 1;
        if (resized || !identity || width != sample.Image.Width || height != sample.Image.Height)
            sample.Image = PerspectiveWarp.Warp(sample.Image, m, width, height);
        sample.Content = null;
        int n = sample.Count;
        var before = sample.Boxes;
        var after = new float[n * 4];
        bool perspective = m[6] != 0 || m[7] != 0;
        Span<double> cx = stackalloc double[4], cy = stackalloc double[4];
        for (int i = 0; i < n; i++)
        {
            double x1 = before[i * 4], y1 = before[i * 4 + 1], x2 = before[i * 4 + 2], y2 = before[i * 4 + 3];
            cx[0] = x1; cy[0] = y1; cx[1] = x2; cy[1] = y2; cx[2] = x1; cy[2] = y2; cx[3] = x2; cy[3] = y1;
            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
            for (int k = 0; k < 4; k++)
            {
                double u = m[0] * cx[k] + m[1] * cy[k] + m[2], v = m[3] * cx[k] + m[4] * cy[k] + m[5];
                if (perspective)
                {
                    double z = m[6] * cx[k] + m[7] * cy[k] + m[8];
                    u /= z;
                    v /= z;
                }
                minX = Math.Min(minX, u); maxX = Math.Max(maxX, u);
                minY = Math.Min(minY, v); maxY = Math.Max(maxY, v);
            }
            after[i * 4] = (float)Math.Clamp(minX, 0, width);
            after[i * 4 + 1] = (float)Math.Clamp(minY, 0, height);
            after[i * 4 + 2] = (float)Math.Clamp(maxX, 0, width);
            after[i * 4 + 3] = (float)Math.Clamp(maxY, 0, height);
        }
        var keep = new bool[n];
        for (int i = 0; i < n; i++)
        {
            float w1 = (float)((before[i * 4 + 2] - before[i * 4]) * scale), h1 = (float)((before[i * 4 + 3] - before[i * 4 + 1]) * scale);
            keep[i] = BoxCandidates(w1, h1, after[i * 4 + 2] - after[i * 4], after[i * 4 + 3] - after[i * 4 + 1]);
        }
        sample.Boxes = after;
        YoloBoxes.SetAreas(sample);
        sample.Keep(keep);
        return sample;
    }

    /// <summary>
    /// ultralytics' box_candidates: a box (w2 × h2 after the transform, w1 × h1 before it, scaled) is kept when both
    /// sides exceed <paramref name="whThr"/> pixels, it keeps more than <paramref name="areaThr"/> of its area, and its
    /// aspect ratio stays under <paramref name="arThr"/>.
    /// </summary>
    public static bool BoxCandidates(float w1, float h1, float w2, float h2, float whThr = 2, float arThr = 100, float areaThr = 0.1f)
    {
        const double eps = 1e-16;
        double ar = Math.Max(w2 / (h2 + eps), h2 / (w2 + eps));
        return w2 > whThr && h2 > whThr && w2 * (double)h2 / (w1 * (double)h1 + eps) > areaThr && ar < arThr;
    }

    static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> result)
    {
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                result[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
    }
}
