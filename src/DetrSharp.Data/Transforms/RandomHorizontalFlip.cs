using DetrSharp.Data.Imaging;
using DetrSharp.Data.Synthetic;

namespace DetrSharp.Data.Transforms;

/// <summary>Mirrors the image left-right with probability p; boxes become [w - x2, y1, w - x1, y2]
/// (and a letterboxed image's content region is mirrored with them). ultralytics' RandomFlip("horizontal") too.</summary>
public sealed class RandomHorizontalFlip(double p = 0.5) : IDetectionTransform
{
    public DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng)
    {
        if (rng.NextDouble() >= p) return sample;
        sample.Image = Flip(sample.Image);
        float w = sample.Image.Width;
        var b = sample.Boxes;
        for (int i = 0; i < b.Length; i += 4)
        {
            float x1 = b[i], x2 = b[i + 2];
            b[i] = w - x2;
            b[i + 2] = w - x1;
        }
        if (sample.Content is { } c) sample.Content = (sample.Image.Width - c.Left - c.Width, c.Top, c.Width, c.Height);
        return sample;
    }

    public static RgbImage Flip(RgbImage image)
    {
        int w = image.Width, h = image.Height;
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int y = 0; y < h; y++)
        {
            int row = y * w * 3;
            for (int x = 0; x < w; x++)
            {
                int s = row + x * 3, d = row + (w - 1 - x) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(w, h, dst);
    }
}
