using DetrSharp.Data.Synthetic;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// Resizes so the shorter side is one of <paramref name="sizes"/> (picked at random), keeping the aspect
/// ratio and capping the longer side at <paramref name="maxSize"/>, with DETR's rounding (get_size);
/// boxes and areas scale with the image.
/// </summary>
public sealed class RandomResize(int[] sizes, int? maxSize = null) : IDetectionTransform
{
    readonly int[] _sizes = sizes.Length > 0 ? sizes : throw new ArgumentException("RandomResize needs at least one size");

    public DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng)
    {
        int size = _sizes.Length == 1 ? _sizes[0] : _sizes[rng.NextInt(_sizes.Length)];
        return Resize(sample, size, maxSize);
    }

    /// <summary>DETR's get_size_with_aspect_ratio: (height, width) of the output.</summary>
    public static (int h, int w) GetSize(int w, int h, int size, int? maxSize)
    {
        if (maxSize is int max)
        {
            double minOriginal = Math.Min(w, h), maxOriginal = Math.Max(w, h);
            if (maxOriginal / minOriginal * size > max) size = (int)Math.Round(max * minOriginal / maxOriginal, MidpointRounding.ToEven);
        }
        if ((w <= h && w == size) || (h <= w && h == size)) return (h, w);
        return w < h ? ((int)(size * (double)h / w), size) : (size, (int)(size * (double)w / h));
    }

    public static DetectionSample Resize(DetectionSample sample, int size, int? maxSize)
    {
        var img = sample.Image;
        var (oh, ow) = GetSize(img.Width, img.Height, size, maxSize);
        if (oh == img.Height && ow == img.Width) return sample;
        float rw = (float)ow / img.Width, rh = (float)oh / img.Height;
        sample.Image = ImageResize.Resize(img, ow, oh);
        var b = sample.Boxes;
        for (int i = 0; i < b.Length; i += 4)
        {
            b[i] *= rw; b[i + 1] *= rh; b[i + 2] *= rw; b[i + 3] *= rh;
        }
        for (int i = 0; i < sample.Areas.Length; i++) sample.Areas[i] *= rw * rh;
        return sample;
    }
}
