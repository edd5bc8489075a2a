using DetrSharp.Data.Transforms;
using DetrSharp.Torch;

namespace DetrSharp.Data.Loading;

/// <summary>
/// Turns transformed samples into a <see cref="DetectionBatch"/>: ImageNet normalisation, padding to
/// the batch's largest image (bottom/right, mask true there), boxes to normalised cxcywh. Each tensor is
/// filled in managed memory and copied into libtorch once.
/// </summary>
public static class Collate
{
    public static DetectionBatch Make(IReadOnlyList<DetectionSample> samples, int epoch = 0, int position = 0, IReadOnlyList<string>? skipped = null)
    {
        if (samples.Count == 0) throw new ArgumentException("a batch needs at least one sample");
        int b = samples.Count;
        int H = samples.Max(s => s.Image.Height), W = samples.Max(s => s.Image.Width);
        var pixels = new float[(long)b * 3 * H * W];
        var mask = new bool[(long)b * H * W];
        Array.Fill(mask, true);
        Span<float> scale = stackalloc float[3], shift = stackalloc float[3];
        for (int c = 0; c < 3; c++)
        {
            scale[c] = 1f / (255f * DetectionBatch.PixelStd[c]);
            shift[c] = -DetectionBatch.PixelMean[c] / DetectionBatch.PixelStd[c];
        }
        for (int i = 0; i < b; i++)
        {
            var img = samples[i].Image;
            var src = img.Pixels;
            for (int y = 0; y < img.Height; y++)
            {
                Array.Fill(mask, false, (int)(((long)i * H + y) * W), img.Width);
                for (int c = 0; c < 3; c++)
                {
                    long dstRow = (((long)i * 3 + c) * H + y) * W;
                    int srcRow = y * img.Width * 3 + c;
                    for (int x = 0; x < img.Width; x++)
                        pixels[dstRow + x] = src[srcRow + x * 3] * scale[c] + shift[c];
                }
            }
        }
        Tensor? images = null, maskT = null;
        var targets = new List<DetectionTarget>(b);
        try
        {
            images = torch.tensor(pixels, new long[] { b, 3, H, W });   // [batch, 3, H, W]
            maskT = torch.tensor(mask, new long[] { b, H, W });           // [batch, H, W]
            foreach (var s in samples) targets.Add(Targets(s));
            return new DetectionBatch { Samples = new NestedTensor(images.DetachFromDisposeScope(), maskT.DetachFromDisposeScope()), Targets = targets, Epoch = epoch, Position = position, Skipped = skipped ?? Array.Empty<string>() };
        }
        catch
        {
            images?.Dispose();
            maskT?.Dispose();
            foreach (var t in targets) t.Dispose();
            throw;
        }
    }

    /// <summary>Labels [n] int64 and boxes [n, 4] normalised cxcywh of one sample.</summary>
    public static DetectionTarget Targets(DetectionSample s)
    {
        int n = s.Count;
        float w = s.Image.Width, h = s.Image.Height;
        var boxes = new float[n * 4];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            float x1 = s.Boxes[i * 4], y1 = s.Boxes[i * 4 + 1], x2 = s.Boxes[i * 4 + 2], y2 = s.Boxes[i * 4 + 3];
            boxes[i * 4] = (x1 + x2) / 2 / w;
            boxes[i * 4 + 1] = (y1 + y2) / 2 / h;
            boxes[i * 4 + 2] = (x2 - x1) / w;
            boxes[i * 4 + 3] = (y2 - y1) / h;
            labels[i] = s.Labels[i];
        }
        return new DetectionTarget(torch.tensor(labels, new long[] { n }).DetachFromDisposeScope(), torch.tensor(boxes, new long[] { n, 4 }).DetachFromDisposeScope())
        {
            ImageId = s.ImageId,
            OriginalSize = (s.OriginalHeight, s.OriginalWidth),
            Size = (s.Image.Height, s.Image.Width),
            Content = s.Content,
        };
    }
}
