namespace DetrSharp.Data.Transforms;

/// <summary>
/// OpenCV's 8-bit colour conversions between RGB and HSV (cvtColor COLOR_RGB2HSV / COLOR_HSV2RGB): H in [0, 180),
/// S and V in [0, 255]. RGB → HSV in 12-bit fixed point with OpenCV's division tables; HSV → RGB in single-precision
/// floats through the hue sector table, rounded to nearest.
/// </summary>
public static class HsvConversion
{
    const int Shift = 12;
    static readonly int[] SatDiv = Table(255.0);
    static readonly int[] HueDiv = Table(180.0 / 6);

    static int[] Table(double numerator)
    {
        var t = new int[256];
        for (int i = 1; i < 256; i++) t[i] = (int)Math.Round(numerator * (1 << Shift) / i, MidpointRounding.ToEven);
        return t;
    }

    public static (byte H, byte S, byte V) FromRgb(byte r, byte g, byte b)
    {
        int v = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b));
        int diff = v - min;
        int s = (diff * SatDiv[v] + (1 << (Shift - 1))) >> Shift;
        int h = v == r ? g - b : v == g ? b - r + 2 * diff : r - g + 4 * diff;
        h = (h * HueDiv[diff] + (1 << (Shift - 1))) >> Shift;
        if (h < 0) h += 180;
        return ((byte)h, (byte)s, (byte)v);
    }

    static readonly int[,] Sector = { { 0, 3, 1 }, { 2, 0, 1 }, { 1, 0, 3 }, { 1, 2, 0 }, { 3, 1, 0 }, { 0, 1, 2 } };   // r, g, b taps

    public static (byte R, byte G, byte B) ToRgb(byte hue, byte sat, byte val)
    {
        float s = sat * (1f / 255f), v = val * (1f / 255f);
        float r, g, b;
        if (s == 0) r = g = b = v;
        else
        {
            float h = hue * (6f / 180f);
            h %= 6f;
            if (h < 0) h += 6f;
            int sector = (int)MathF.Floor(h);
            h -= sector;
            if ((uint)sector >= 6u) { sector = 0; h = 0; }
            Span<float> tab = [v, v * (1f - s), v * (1f - s * h), v * (1f - s * (1f - h))];
            r = tab[Sector[sector, 0]];
            g = tab[Sector[sector, 1]];
            b = tab[Sector[sector, 2]];
        }
        return (Byte(r * 255f), Byte(g * 255f), Byte(b * 255f));
    }

    static byte Byte(float x) => (byte)Math.Clamp((int)MathF.Round(x, MidpointRounding.ToEven), 0, 255);
}
