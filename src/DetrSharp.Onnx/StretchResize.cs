using DetrSharp.Data.Imaging;
using DetrSharp.Data.Transforms;

namespace DetrSharp.Onnx;

/// <summary>
/// Fits an image into a DETR model's fixed input by resizing it to exactly H × W with the Data layer's resize (no
/// resampling when it already has that size; a square image gets the pixels DETR's validation resize gives it when the
/// export size is data.val_size), as RGB floats in [0, 1], CHW. The model's boxes are normalised to the input, so they
/// map back to the image by its own width and height.
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
