using DetrSharp.Data.Synthetic;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// ultralytics' load_image for training: the longer side resized to <paramref name="size"/> keeping the aspect ratio
/// (each side ceil(side × r), at most <paramref name="size"/>), bilinear; boxes and areas scale with the pixels.
/// </summary>
public sealed class LongSideResize(int size) : IDetectionTransform
{
    public int Size { get; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), $"image size must be positive; got {size}");

    public DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng) => Resize(sample, Size);

    public static DetectionSample Resize(DetectionSample sample, int size)
    {
        int w0 = sample.Image.Width, h0 = sample.Image.Height;
        double r = (double)size / Math.Max(w0, h0);
        if (r == 1) return sample;
        int w = Math.Clamp((int)Math.Ceiling(w0 * r), 1, size), h = Math.Clamp((int)Math.Ceiling(h0 * r), 1, size);
        sample.Image = ImageResize.Resize(sample.Image, w, h);
        YoloBoxes.Affine(sample, (float)w / w0, (float)h / h0, 0, 0);
        sample.Content = null;
        return sample;
    }
}
