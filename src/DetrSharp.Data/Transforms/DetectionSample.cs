using DetrSharp.Data.Coco;
using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// An image and its targets on the way through the transforms: boxes stay absolute xyxy pixels of the
/// current image until the batch is made (then normalised cxcywh, as DETR's Normalize does).
/// </summary>
public sealed class DetectionSample
{
    public required RgbImage Image { get; set; }
    /// <summary>Boxes, row-major <c>[n, 4]</c> x1, y1, x2, y2 in pixels of <see cref="Image"/>.</summary>
    public required float[] Boxes { get; set; }
    /// <summary>Contiguous labels <c>[n]</c>.</summary>
    public required int[] Labels { get; set; }
    /// <summary>Annotation areas <c>[n]</c>, scaled with the image as the reference does.</summary>
    public required float[] Areas { get; set; }
    public required long ImageId { get; init; }
    /// <summary>The size of the image as stored (before any transform): what predictions are scaled back to.</summary>
    public required int OriginalWidth { get; init; }
    public required int OriginalHeight { get; init; }
    /// <summary>
    /// Where the stored image lies in <see cref="Image"/> when a transform placed it inside padding (YOLO's letterbox):
    /// (left, top, width, height) in pixels of <see cref="Image"/>; null when it fills the whole image (every resize).
    /// Predictions are mapped back to the stored pixels through it.
    /// </summary>
    public (int Left, int Top, int Width, int Height)? Content { get; set; }

    public int Count => Labels.Length;

    /// <summary>A sample from a dataset record and its decoded image.</summary>
    public static DetectionSample From(CocoRecord record, RgbImage image) => new()
    {
        Image = image,
        Boxes = record.Boxes,
        Labels = record.Labels,
        Areas = record.Areas,
        ImageId = record.ImageId,
        OriginalWidth = record.Width,
        OriginalHeight = record.Height,
    };

    /// <summary>Keeps the objects whose flag is set (boxes, labels, areas together).</summary>
    public void Keep(ReadOnlySpan<bool> keep)
    {
        int n = 0;
        for (int i = 0; i < keep.Length; i++) if (keep[i]) n++;
        if (n == Count) return;
        var boxes = new float[n * 4];
        var labels = new int[n];
        var areas = new float[n];
        int k = 0;
        for (int i = 0; i < keep.Length; i++)
        {
            if (!keep[i]) continue;
            Array.Copy(Boxes, i * 4, boxes, k * 4, 4);
            labels[k] = Labels[i];
            areas[k] = Areas[i];
            k++;
        }
        Boxes = boxes;
        Labels = labels;
        Areas = areas;
    }
}
