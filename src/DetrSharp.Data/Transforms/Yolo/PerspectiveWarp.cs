using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// Warps an image by a 3×3 matrix M (output pixel p = M · source pixel, pixel centres on integer coordinates, as
/// OpenCV's warpAffine / warpPerspective): every output pixel is the bilinear sample of the source at M⁻¹ · p, taps
/// outside the source taking grey 114 (BORDER_CONSTANT).
/// </summary>
public static class PerspectiveWarp
{
    /// <param name="m">row-major 3×3; an affine matrix has the last row 0, 0, 1</param>
    public static RgbImage Warp(RgbImage image, ReadOnlySpan<double> m, int width, int height)
    {
        if (m.Length != 9) throw new ArgumentException($"a warp matrix has 9 entries, not {m.Length}", nameof(m));
        Span<double> inv = stackalloc double[9];
        Invert(m, inv);
        bool affine = m[6] == 0 && m[7] == 0 && m[8] == 1;
        int sw = image.Width, sh = image.Height;
        var src = image.Pixels;
        var dst = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double u = inv[0] * x + inv[1] * y + inv[2], v = inv[3] * x + inv[4] * y + inv[5];
                if (!affine)
                {
                    double z = inv[6] * x + inv[7] * y + inv[8];
                    z = z != 0 ? 1 / z : 0;
                    u *= z;
                    v *= z;
                }
                int o = (y * width + x) * 3;
                if (!(u > -1 && v > -1 && u < sw && v < sh))
                {
                    dst[o] = dst[o + 1] = dst[o + 2] = LetterBox.Fill;
                    continue;
                }
                int x0 = (int)Math.Floor(u), y0 = (int)Math.Floor(v);
                double fx = u - x0, fy = v - y0;
                if (x0 >= 0 && y0 >= 0 && x0 + 1 < sw && y0 + 1 < sh)
                {
                    // all four taps inside: no border lookups
                    int a = (y0 * sw + x0) * 3, b = a + sw * 3;
                    for (int c = 0; c < 3; c++)
                    {
                        double top = src[a + c] + (src[a + 3 + c] - src[a + c]) * fx, bottom = src[b + c] + (src[b + 3 + c] - src[b + c]) * fx;
                        dst[o + c] = (byte)Math.Clamp((int)Math.Round(top + (bottom - top) * fy), 0, 255);
                    }
                    continue;
                }
                for (int c = 0; c < 3; c++)
                {
                    double p00 = Tap(src, sw, sh, x0, y0, c), p10 = Tap(src, sw, sh, x0 + 1, y0, c);
                    double p01 = Tap(src, sw, sh, x0, y0 + 1, c), p11 = Tap(src, sw, sh, x0 + 1, y0 + 1, c);
                    double top = p00 + (p10 - p00) * fx, bottom = p01 + (p11 - p01) * fx;
                    dst[o + c] = (byte)Math.Clamp((int)Math.Round(top + (bottom - top) * fy), 0, 255);
                }
            }
        }
        return new RgbImage(width, height, dst);
    }

    static double Tap(byte[] src, int w, int h, int x, int y, int c)
        => (uint)x < (uint)w && (uint)y < (uint)h ? src[(y * w + x) * 3 + c] : LetterBox.Fill;

    /// <summary>The inverse of a 3×3 matrix (adjugate / determinant).</summary>
    public static void Invert(ReadOnlySpan<double> m, Span<double> inv)
    {
        double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8];
        double A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
        double det = a * A + b * B + c * C;
        if (det == 0 || !double.IsFinite(det)) throw new ArgumentException("the warp matrix is singular");
        inv[0] = A / det; inv[1] = -(b * i - c * h) / det; inv[2] = (b * f - c * e) / det;
        inv[3] = B / det; inv[4] = (a * i - c * g) / det; inv[5] = -(a * f - c * d) / det;
        inv[6] = C / det; inv[7] = -(a * h - b * g) / det; inv[8] = (a * e - b * d) / det;
    }
}
