namespace DetrSharp.Data.Imaging;

/// <summary>
/// CMYK to RGB with Pillow's formula (<c>R = (255 - K) - C * (255 - K) / 255</c>, its rounding included).
/// Files carrying an Adobe APP14 marker (Photoshop's convention, and what libjpeg writes) store
/// C, M, Y, K inverted, as Pillow assumes too.
/// </summary>
internal static class CmykConversion
{
    /// <param name="cmyk">Samples <c>[H, W, 4]</c> as stored in the file.</param>
    /// <param name="inverted">The file stores inverted samples (Adobe marker present).</param>
    /// <returns>Samples <c>[H, W, 3]</c>.</returns>
    internal static byte[] ToRgb(ReadOnlySpan<byte> cmyk, bool inverted)
    {
        int n = cmyk.Length / 4;
        var rgb = new byte[n * 3];
        int flip = inverted ? 255 : 0;
        for (int i = 0; i < n; i++)
        {
            int c = cmyk[4 * i] ^ flip, m = cmyk[4 * i + 1] ^ flip, y = cmyk[4 * i + 2] ^ flip, k = cmyk[4 * i + 3] ^ flip;
            int nk = 255 - k;
            rgb[3 * i] = (byte)(nk - MulDiv255(c, nk));
            rgb[3 * i + 1] = (byte)(nk - MulDiv255(m, nk));
            rgb[3 * i + 2] = (byte)(nk - MulDiv255(y, nk));
        }
        return rgb;
    }

    /// <summary>Pillow's MULDIV255: a * b / 255 rounded.</summary>
    static int MulDiv255(int a, int b)
    {
        int t = a * b + 128;
        return (t + (t >> 8)) >> 8;
    }
}
