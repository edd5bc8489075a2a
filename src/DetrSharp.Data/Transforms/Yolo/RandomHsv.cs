using DetrSharp.Data.Imaging;
using DetrSharp.Data.Synthetic;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// ultralytics' RandomHSV: random gains r = 1 + uniform(−1, 1) × (hgain, sgain, vgain); the image goes to HSV and each
/// channel through a lookup table (hue: ⌊x·r_h⌋ mod 180, saturation and value: ⌊x·r⌋ clipped to 255), then back to RGB.
/// Boxes are untouched.
/// </summary>
public sealed class RandomHsv(double hgain, double sgain, double vgain) : IDetectionTransform
{
    public DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng)
    {
        if (hgain == 0 && sgain == 0 && vgain == 0) return sample;
        double rh = rng.NextDouble(-1, 1) * hgain + 1, rs = rng.NextDouble(-1, 1) * sgain + 1, rv = rng.NextDouble(-1, 1) * vgain + 1;
        sample.Image = WithGains(sample.Image, rh, rs, rv);
        return sample;
    }

    /// <summary>The three lookup tables of gains (rh, rs, rv), as the reference builds them.</summary>
    public static (byte[] hue, byte[] sat, byte[] val) Tables(double rh, double rs, double rv)
    {
        var hue = new byte[256];
        var sat = new byte[256];
        var val = new byte[256];
        for (int x = 0; x < 256; x++)
        {
            double h = x * rh % 180;
            hue[x] = (byte)(int)(h < 0 ? h + 180 : h);
            sat[x] = (byte)(int)Math.Clamp(x * rs, 0, 255);
            val[x] = (byte)(int)Math.Clamp(x * rv, 0, 255);
        }
        return (hue, sat, val);
    }

    /// <summary>The image with the gains applied (a new image).</summary>
    public static RgbImage WithGains(RgbImage image, double rh, double rs, double rv)
    {
        var (hue, sat, val) = Tables(rh, rs, rv);
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int o = 0; o < src.Length; o += 3)
        {
            var (h, s, v) = HsvConversion.FromRgb(src[o], src[o + 1], src[o + 2]);
            (dst[o], dst[o + 1], dst[o + 2]) = HsvConversion.ToRgb(hue[h], sat[s], val[v]);
        }
        return new RgbImage(image.Width, image.Height, dst);
    }
}
