using DetrSharp.Data.Imaging;
using DetrSharp.Data.Synthetic;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// ultralytics' LetterBox (auto and scaleFill off, centred): the image scaled to fit <paramref name="size"/> ×
/// <paramref name="size"/> keeping its aspect ratio (r = min(size / h, size / w), sides round(side × r)), bilinear,
/// and padded evenly on both sides with grey 114. Boxes are mapped onto the resized pixels exactly (× new / old per
/// axis, + the left/top padding) and <see cref="DetectionSample.Content"/> records where the image lies, so
/// predictions map back to the stored pixels. YOLO's validation and prediction transform, and the non-mosaic start
/// of its training pipeline.
/// </summary>
public sealed class LetterBox(int size) : IDetectionTransform
{
    /// <summary>The grey of the padding (and of every YOLO border).</summary>
    public const byte Fill = 114;

    public int Size { get; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), $"image size must be positive; got {size}");

    public DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng) => Apply(sample, Size);

    public static DetectionSample Apply(DetectionSample sample, int size)
    {
        var img = sample.Image;
        int w0 = img.Width, h0 = img.Height;
        double r = Math.Min((double)size / h0, (double)size / w0);
        int w = Math.Clamp((int)Math.Round(w0 * r, MidpointRounding.ToEven), 1, size);
        int h = Math.Clamp((int)Math.Round(h0 * r, MidpointRounding.ToEven), 1, size);
        double dw = (size - w) / 2.0, dh = (size - h) / 2.0;
        int left = (int)Math.Round(dw - 0.1, MidpointRounding.ToEven), top = (int)Math.Round(dh - 0.1, MidpointRounding.ToEven);
        var resized = w == w0 && h == h0 ? img : ImageResize.Resize(img, w, h);
        sample.Image = Pad(resized, size, size, left, top);
        float sx = (float)w / w0, sy = (float)h / h0;
        var c = sample.Content ?? (0, 0, w0, h0);
        sample.Content = (left + (int)Math.Round(c.Left * sx), top + (int)Math.Round(c.Top * sy), (int)Math.Round(c.Width * sx), (int)Math.Round(c.Height * sy));
        YoloBoxes.Affine(sample, sx, sy, left, top);
        return sample;
    }

    /// <summary>A <paramref name="width"/> × <paramref name="height"/> grey canvas with <paramref name="image"/> at (left, top).</summary>
    public static RgbImage Pad(RgbImage image, int width, int height, int left, int top)
    {
        if (left == 0 && top == 0 && width == image.Width && height == image.Height) return image;
        var dst = new byte[width * height * 3];
        Array.Fill(dst, Fill);
        for (int y = 0; y < image.Height; y++)
            Buffer.BlockCopy(image.Pixels, y * image.Width * 3, dst, ((top + y) * width + left) * 3, image.Width * 3);
        return new RgbImage(width, height, dst);
    }
}
