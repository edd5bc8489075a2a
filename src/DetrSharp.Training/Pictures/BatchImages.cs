using DetrSharp.Data.Drawing;
using DetrSharp.Data.Imaging;
using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>A collated batch back as pictures: each image un-normalised and cut to its unpadded size, with its targets.</summary>
public static class BatchImages
{
    /// <param name="batch">Images normalised with ImageNet mean/std, targets' boxes normalised cxcywh.</param>
    /// <param name="names">Class names in label order.</param>
    public static List<MosaicTile> Tiles(DetectionBatch batch, IReadOnlyList<string> names)
    {
        using var scope = torch.NewDisposeScope();
        using var mean = torch.tensor(DetectionBatch.PixelMean).view(1, 3, 1, 1);
        using var std = torch.tensor(DetectionBatch.PixelStd).view(1, 3, 1, 1);
        var images = batch.Images.cpu().@float();                                    // [B, 3, H, W]
        var pixels = images.mul(std).add(mean).mul(255).clamp(0, 255).round()
            .to(ScalarType.Byte).permute(0, 2, 3, 1).contiguous();                   // [B, H, W, 3]
        long height = pixels.shape[1], width = pixels.shape[2];
        var all = pixels.data<byte>();
        var tiles = new List<MosaicTile>();
        for (int i = 0; i < batch.Count; i++)
        {
            var t = batch.Targets[i];
            int h = t.Size.Height, w = t.Size.Width;
            var rgb = new byte[h * w * 3];
            for (int y = 0; y < h; y++)
                Array.Copy(all, (i * height * width + y * width) * 3, rgb, (long)y * w * 3, w * 3);
            var boxes = t.Boxes.cpu().@float().data<float>();                      // [n, 4] cx, cy, w, h in [0, 1]
            var labels = t.Labels.cpu().@long().data<long>();                      // [n]
            var drawn = new List<LabeledBox>();
            for (int k = 0; k < labels.Length; k++)
            {
                float cx = boxes[k * 4] * w, cy = boxes[k * 4 + 1] * h, bw = boxes[k * 4 + 2] * w, bh = boxes[k * 4 + 3] * h;
                int label = (int)labels[k];
                drawn.Add(new LabeledBox(cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2, label, label < names.Count ? names[label] : label.ToString()));
            }
            tiles.Add(new MosaicTile(new RgbImage(w, h, rgb), drawn, $"image {t.ImageId}"));
        }
        return tiles;
    }
}
