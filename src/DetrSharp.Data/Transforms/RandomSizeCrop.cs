using DetrSharp.Data.Imaging;
using DetrSharp.Data.Synthetic;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// DETR's RandomSizeCrop: a crop of random width in [minSize, min(W, maxSize)] and height in
/// [minSize, min(H, maxSize)] at a random position; boxes shifted, clipped to the crop, and dropped
/// when they become empty; areas recomputed from the clipped boxes.
/// </summary>
public sealed class RandomSizeCrop(int minSize, int maxSize) : IDetectionTransform
{
    public DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng)
    {
        var img = sample.Image;
        int w = rng.NextInt(Math.Min(minSize, img.Width), Math.Min(img.Width, maxSize));
        int h = rng.NextInt(Math.Min(minSize, img.Height), Math.Min(img.Height, maxSize));
        int top = img.Height == h ? 0 : rng.NextInt(0, img.Height - h);
        int left = img.Width == w ? 0 : rng.NextInt(0, img.Width - w);
        return Crop(sample, top, left, h, w);
    }

    public static DetectionSample Crop(DetectionSample sample, int top, int left, int height, int width)
    {
        var img = sample.Image;
        if (top < 0 || left < 0 || top + height > img.Height || left + width > img.Width || height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(top), $"crop ({left},{top},{width}x{height}) is outside the {img.Width}x{img.Height} image");
        var dst = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            Buffer.BlockCopy(img.Pixels, ((top + y) * img.Width + left) * 3, dst, y * width * 3, width * 3);
        sample.Image = new RgbImage(width, height, dst);
        var b = sample.Boxes;
        var keep = new bool[sample.Count];
        for (int i = 0; i < sample.Count; i++)
        {
            int o = i * 4;
            b[o] = Math.Clamp(b[o] - left, 0, width);
            b[o + 1] = Math.Clamp(b[o + 1] - top, 0, height);
            b[o + 2] = Math.Clamp(b[o + 2] - left, 0, width);
            b[o + 3] = Math.Clamp(b[o + 3] - top, 0, height);
            sample.Areas[i] = (b[o + 2] - b[o]) * (b[o + 3] - b[o + 1]);
            keep[i] = b[o + 2] > b[o] && b[o + 3] > b[o + 1];
        }
        sample.Keep(keep);
        return sample;
    }
}
