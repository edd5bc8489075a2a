using DetrSharp.Data.Imaging;
using DetrSharp.Data.Transforms;

namespace DetrSharp.Onnx;

/// <summary>
/// Fits an image into the model's fixed input: scaled by r = min(H / h, W / w) with the Data layer's resize (no
/// resampling when r is 1, as the validation transform of images already at the model's size), placed at the top
/// left, the rest zero (the libtorch YOLO pads bottom/right with zeros too), as RGB floats in [0, 1], CHW.
/// </summary>
public static class Letterbox
{
    /// <summary>Writes the image into <paramref name="chw"/> (3 · H · W floats) and returns the scale r.</summary>
    public static double Fill(RgbImage image, int height, int width, Span<float> chw)
    {
        if (chw.Length != 3 * height * width) throw new ArgumentException($"letterbox: {chw.Length} floats for a 3x{height}x{width} input", nameof(chw));
        double r = Math.Min((double)height / image.Height, (double)width / image.Width);
        int nw = Math.Clamp((int)Math.Round(image.Width * r), 1, width), nh = Math.Clamp((int)Math.Round(image.Height * r), 1, height);
        var resized = nw == image.Width && nh == image.Height ? image : ImageResize.Resize(image, nw, nh);
        chw.Clear();
        var px = resized.Pixels;
        int plane = height * width;
        for (int y = 0; y < nh; y++)
            for (int x = 0; x < nw; x++)
            {
                int s = (y * nw + x) * 3, d = y * width + x;
                chw[d] = px[s] / 255f;
                chw[plane + d] = px[s + 1] / 255f;
                chw[2 * plane + d] = px[s + 2] / 255f;
            }
        return r;
    }
}
