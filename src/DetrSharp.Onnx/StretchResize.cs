using DetrSharp.Data.Imaging;
using DetrSharp.Data.Transforms;

namespace DetrSharp.Onnx;

/// <summary>
/// Fills a DETR-family model's fixed, unpadded input (its graph holds the position embeddings of that size with no
/// padding mask): the image resized to exactly H × W with the Data layer's resize (none when it is already that size,
/// so a square image matches the libtorch validation resize to val_size), as RGB floats in [0, 1], CHW. Boxes predicted
/// in normalised coordinates map back to the image by its own width and height.
/// </summary>
public static class StretchResize
{
    /// <summary>Writes the image into <paramref name="chw"/> (3 · H · W floats).</summary>
    public static void Fill(RgbImage image, int height, int width, Span<float> chw)
    {
        if (chw.Length != 3 * height * width) throw new ArgumentException($"resize: {chw.Length} floats for a 3x{height}x{width} input", nameof(chw));
        var resized = image.Width == width && image.Height == height ? image : ImageResize.Resize(image, width, height);
        var px = resized.Pixels;
        int plane = height * width;
        for (int i = 0; i < plane; i++)
        {
            chw[i] = px[3 * i] / 255f;
            chw[plane + i] = px[3 * i + 1] / 255f;
            chw[2 * plane + i] = px[3 * i + 2] / 255f;
        }
    }
}
