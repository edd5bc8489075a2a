using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Tests.Support;

/// <summary>Known test pictures and pixel comparisons.</summary>
internal static class Pixels
{
    /// <summary>A deterministic pattern with every channel varying.</summary>
    public static RgbImage Pattern(int width, int height)
    {
        var img = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = img.OffsetOf(x, y);
                img.Pixels[o] = (byte)(x * 7 + y * 3);
                img.Pixels[o + 1] = (byte)(x * 13 ^ y * 29);
                img.Pixels[o + 2] = (byte)(255 - x - 2 * y);
            }
        return img;
    }

    /// <summary>A smooth gradient (JPEG reproduces it closely).</summary>
    public static RgbImage Smooth(int width, int height)
    {
        var img = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = img.OffsetOf(x, y);
                img.Pixels[o] = (byte)(40 + 150 * x / width);
                img.Pixels[o + 1] = (byte)(60 + 120 * y / height);
                img.Pixels[o + 2] = (byte)(200 - 100 * (x + y) / (width + height));
            }
        return img;
    }

    public static (byte R, byte G, byte B) At(RgbImage img, int x, int y)
    {
        int o = img.OffsetOf(x, y);
        return (img.Pixels[o], img.Pixels[o + 1], img.Pixels[o + 2]);
    }

    public static int MaxAbsDiff(RgbImage a, RgbImage b)
    {
        Assert.Equal(a.Width, b.Width);
        Assert.Equal(a.Height, b.Height);
        int max = 0;
        for (int i = 0; i < a.Pixels.Length; i++) max = Math.Max(max, Math.Abs(a.Pixels[i] - b.Pixels[i]));
        return max;
    }

    public static double MeanAbsDiff(RgbImage a, RgbImage b)
    {
        long sum = 0;
        for (int i = 0; i < a.Pixels.Length; i++) sum += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        return (double)sum / a.Pixels.Length;
    }
}
