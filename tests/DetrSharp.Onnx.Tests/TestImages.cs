using DetrSharp.Data.Imaging;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;
using DetrSharp.Torch;

namespace DetrSharp.Onnx.Tests;

/// <summary>The synthetic validation images (seed 42) the parity tests run, in the forms each engine takes them.</summary>
public static class TestImages
{
    /// <summary>The first <paramref name="count"/> validation images at <paramref name="size"/> px.</summary>
    public static RgbImage[] Render(int size, int count) => Enumerable.Range(0, count)
        .Select(i => SyntheticShapes.RenderScene(size, SyntheticShapes.ImageSeed(42, "val", i)).Image).ToArray();

    /// <summary>As the libtorch predictor collates them (normalised; no padding when all share one size).</summary>
    public static DetectionBatch Collated(IReadOnlyList<RgbImage> images) => Collate.Make(images.Select((img, i) => new DetectionSample
    {
        Image = img, Boxes = [], Labels = [], Areas = [], ImageId = i, OriginalWidth = img.Width, OriginalHeight = img.Height,
    }).ToArray());

    /// <summary>The ONNX input [B, 3, size, size], RGB in [0, 1], each image fitted by <paramref name="fill"/> (Letterbox or StretchResize).</summary>
    public static float[] Input(IReadOnlyList<RgbImage> images, int size, FillInput fill)
    {
        int plane = 3 * size * size;
        var input = new float[images.Count * plane];
        for (int i = 0; i < images.Count; i++) fill(images[i], size, size, input.AsSpan(i * plane, plane));
        return input;
    }

    public delegate void FillInput(RgbImage image, int height, int width, Span<float> destination);
}
