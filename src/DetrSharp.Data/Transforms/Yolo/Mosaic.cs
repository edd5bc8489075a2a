using DetrSharp.Data.Imaging;
using DetrSharp.Data.Synthetic;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// ultralytics' 2×2 Mosaic: the sample and three others drawn at random from <paramref name="source"/> (each resized
/// as load_image does, longer side = size) meet at a random centre (xc, yc) in [size/2, 3·size/2) of a grey
/// 2·size × 2·size canvas: the sample top-left of it, then top-right, bottom-left, bottom-right, each cut at the
/// canvas edge. Boxes move with their image, are clipped to the canvas and dropped when nothing is left. The result
/// is meant for <see cref="RandomPerspective"/> with border −size/2, which brings it back to size × size.
/// </summary>
public sealed class Mosaic(ISampleSource source, int size) : IDetectionTransform
{
    public int Size { get; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), $"image size must be positive; got {size}");

    /// <summary>The border the following perspective step takes (ultralytics' mosaic_border).</summary>
    public int Border => -Size / 2;

    public DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng)
    {
        if (source.Count == 0) throw new InvalidOperationException("mosaic needs a dataset with at least one image");
        int yc = (int)rng.NextDouble(-Border, 2 * Size + Border), xc = (int)rng.NextDouble(-Border, 2 * Size + Border);
        var tiles = new DetectionSample[4];
        tiles[0] = LongSideResize.Resize(sample, Size);
        for (int i = 1; i < 4; i++) tiles[i] = LongSideResize.Resize(source.Load(rng.NextInt(source.Count)), Size);
        return Combine(tiles, xc, yc, Size);
    }

    /// <summary>The mosaic of four samples (already resized) around the centre (xc, yc) of a 2·size canvas.</summary>
    public static DetectionSample Combine(IReadOnlyList<DetectionSample> tiles, int xc, int yc, int size)
    {
        if (tiles.Count != 4) throw new ArgumentException($"a mosaic takes 4 images, not {tiles.Count}", nameof(tiles));
        int s2 = 2 * size;
        var canvas = new byte[s2 * s2 * 3];
        Array.Fill(canvas, LetterBox.Fill);
        for (int i = 0; i < 4; i++)
        {
            var t = tiles[i];
            int w = t.Image.Width, h = t.Image.Height;
            // (a): the region of the canvas, (b): the region of the tile that goes there
            int x1a, y1a, x2a, y2a, x1b, y1b, x2b, y2b;
            switch (i)
            {
                case 0:
                    (x1a, y1a, x2a, y2a) = (Math.Max(xc - w, 0), Math.Max(yc - h, 0), xc, yc);
                    (x1b, y1b, x2b, y2b) = (w - (x2a - x1a), h - (y2a - y1a), w, h);
                    break;
                case 1:
                    (x1a, y1a, x2a, y2a) = (xc, Math.Max(yc - h, 0), Math.Min(xc + w, s2), yc);
                    (x1b, y1b, x2b, y2b) = (0, h - (y2a - y1a), Math.Min(w, x2a - x1a), h);
                    break;
                case 2:
                    (x1a, y1a, x2a, y2a) = (Math.Max(xc - w, 0), yc, xc, Math.Min(s2, yc + h));
                    (x1b, y1b, x2b, y2b) = (w - (x2a - x1a), 0, w, Math.Min(y2a - y1a, h));
                    break;
                default:
                    (x1a, y1a, x2a, y2a) = (xc, yc, Math.Min(xc + w, s2), Math.Min(s2, yc + h));
                    (x1b, y1b, x2b, y2b) = (0, 0, Math.Min(w, x2a - x1a), Math.Min(y2a - y1a, h));
                    break;
            }
            int cw = Math.Min(x2a - x1a, x2b - x1b), ch = Math.Min(y2a - y1a, y2b - y1b);
            for (int y = 0; y < ch; y++)
                Buffer.BlockCopy(t.Image.Pixels, ((y1b + y) * w + x1b) * 3, canvas, ((y1a + y) * s2 + x1a) * 3, cw * 3);
            YoloBoxes.Affine(t, 1, 1, x1a - x1b, y1a - y1b);
        }
        var (boxes, labels, areas) = YoloBoxes.Concat(tiles);
        var first = tiles[0];
        var result = new DetectionSample
        {
            Image = new RgbImage(s2, s2, canvas), Boxes = boxes, Labels = labels, Areas = areas,
            ImageId = first.ImageId, OriginalWidth = first.OriginalWidth, OriginalHeight = first.OriginalHeight,
        };
        YoloBoxes.ClipAndDropEmpty(result, s2, s2);
        return result;
    }
}
