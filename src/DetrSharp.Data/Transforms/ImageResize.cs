using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// Bilinear resampling of an RGB image (pixel centres aligned, as PIL and align_corners=False); when
/// shrinking, each output pixel averages the source area it covers (a box filter), so small objects
/// do not alias away.
/// </summary>
public static class ImageResize
{
    public static RgbImage Resize(RgbImage image, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"target size {width}x{height} must be positive");
        if (width == image.Width && height == image.Height) return image.Clone();
        var (x0, x1, xw) = Taps(image.Width, width);
        var (y0, y1, yw) = Taps(image.Height, height);
        var src = image.Pixels;
        int sw = image.Width;
        var dst = new byte[width * height * 3];
        bool shrinkX = width < image.Width, shrinkY = height < image.Height;
        double sx = (double)image.Width / width, sy = (double)image.Height / height;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 3;
                if (shrinkX || shrinkY)
                {
                    // average the covered source rectangle (bilinear along an axis that grows)
                    int ax = shrinkX ? (int)(x * sx) : x0[x], bx = shrinkX ? Math.Max(ax + 1, (int)Math.Ceiling((x + 1) * sx)) : x0[x] + 1;
                    int ay = shrinkY ? (int)(y * sy) : y0[y], by = shrinkY ? Math.Max(ay + 1, (int)Math.Ceiling((y + 1) * sy)) : y0[y] + 1;
                    bx = Math.Min(bx, sw); by = Math.Min(by, image.Height);
                    for (int c = 0; c < 3; c++)
                    {
                        double acc = 0;
                        int count = 0;
                        for (int yy = ay; yy < by; yy++)
                        {
                            for (int xx = ax; xx < bx; xx++)
                            {
                                double v;
                                if (!shrinkX) v = src[(yy * sw + x0[x]) * 3 + c] * (1 - xw[x]) + src[(yy * sw + x1[x]) * 3 + c] * xw[x];
                                else if (!shrinkY) v = src[(y0[y] * sw + xx) * 3 + c] * (1 - yw[y]) + src[(y1[y] * sw + xx) * 3 + c] * yw[y];
                                else v = src[(yy * sw + xx) * 3 + c];
                                acc += v;
                                count++;
                            }
                        }
                        dst[o + c] = (byte)Math.Clamp((int)Math.Round(acc / count), 0, 255);
                    }
                }
                else
                {
                    for (int c = 0; c < 3; c++)
                    {
                        double top = src[(y0[y] * sw + x0[x]) * 3 + c] * (1 - xw[x]) + src[(y0[y] * sw + x1[x]) * 3 + c] * xw[x];
                        double bot = src[(y1[y] * sw + x0[x]) * 3 + c] * (1 - xw[x]) + src[(y1[y] * sw + x1[x]) * 3 + c] * xw[x];
                        dst[o + c] = (byte)Math.Clamp((int)Math.Round(top * (1 - yw[y]) + bot * yw[y]), 0, 255);
                    }
                }
            }
        }
        return new RgbImage(width, height, dst);
    }

    /// <summary>For each output coordinate: the two source taps and the weight of the second.</summary>
    static (int[] lo, int[] hi, double[] w) Taps(int src, int dst)
    {
        var lo = new int[dst];
        var hi = new int[dst];
        var w = new double[dst];
        double scale = (double)src / dst;
        for (int i = 0; i < dst; i++)
        {
            double s = Math.Max(0, (i + 0.5) * scale - 0.5);
            int a = Math.Min((int)s, src - 1);
            lo[i] = a;
            hi[i] = Math.Min(a + 1, src - 1);
            w[i] = s - a;
        }
        return (lo, hi, w);
    }
}
