using DetrSharp.Data.Imaging;
using DetrSharp.Data.Transforms;

namespace DetrSharp.Data.Tests.Transforms.Yolo;

/// <summary>Samples with known boxes for the YOLO transform tests, and an in-memory sample source.</summary>
internal static class YoloSamples
{
    /// <summary>A sample of one solid colour with the given boxes (labels 0, 1, ... unless given).</summary>
    public static DetectionSample Solid(int w, int h, byte colour, float[] boxes, int[]? labels = null, long id = 1)
    {
        var img = new RgbImage(w, h);
        Array.Fill(img.Pixels, colour);
        return Make(img, boxes, labels, id);
    }

    public static DetectionSample Make(RgbImage img, float[] boxes, int[]? labels = null, long id = 1)
    {
        int n = boxes.Length / 4;
        return new DetectionSample
        {
            Image = img, Boxes = (float[])boxes.Clone(), Labels = labels ?? Enumerable.Range(0, n).ToArray(),
            Areas = Enumerable.Range(0, n).Select(i => (boxes[i * 4 + 2] - boxes[i * 4]) * (boxes[i * 4 + 3] - boxes[i * 4 + 1])).ToArray(),
            ImageId = id, OriginalWidth = img.Width, OriginalHeight = img.Height,
        };
    }

    /// <summary>Fills the box (x1, y1) – (x2, y2) of an image with a colour.</summary>
    public static void Paint(RgbImage img, int x1, int y1, int x2, int y2, byte r, byte g, byte b)
    {
        for (int y = y1; y < y2; y++)
            for (int x = x1; x < x2; x++)
            {
                int o = img.OffsetOf(x, y);
                (img.Pixels[o], img.Pixels[o + 1], img.Pixels[o + 2]) = (r, g, b);
            }
    }

    public static byte[] Rgb(RgbImage img, int x, int y)
    {
        int o = img.OffsetOf(x, y);
        return [img.Pixels[o], img.Pixels[o + 1], img.Pixels[o + 2]];
    }
}

/// <summary>Samples held in memory; each Load returns a fresh copy, as a dataset decodes afresh.</summary>
internal sealed class MemorySource(params DetectionSample[] samples) : ISampleSource
{
    public int Count => samples.Length;
    public int Loads { get; private set; }

    public DetectionSample Load(int position)
    {
        Loads++;
        var s = samples[position];
        return new DetectionSample
        {
            Image = s.Image.Clone(), Boxes = (float[])s.Boxes.Clone(), Labels = (int[])s.Labels.Clone(), Areas = (float[])s.Areas.Clone(),
            ImageId = s.ImageId, OriginalWidth = s.OriginalWidth, OriginalHeight = s.OriginalHeight,
        };
    }
}
