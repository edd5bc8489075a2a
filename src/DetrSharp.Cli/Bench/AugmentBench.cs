using DetrSharp.Data.Imaging;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `detrsharp bench augment`: one sample through each augmentation pipeline, on one thread, from decoded images held
/// in memory (128 px like the synthetic set, and 640 px): YOLO's training pipeline with mosaic (and with mixup), after
/// close_mosaic, its validation letterbox, and DETR's training pipeline at the default sizes, for comparison.
/// </summary>
public sealed class AugmentBench : IBenchSuite
{
    public string Name => "augment";
    public string Description => "Per-sample time of the YOLO (mosaic, perspective, HSV, flip; letterbox) and DETR augmentation pipelines";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        int runs = options.Runs > 0 ? options.Runs : 101;
        foreach (int size in new[] { 128, 640 })
        {
            var source = new Images(size);
            var yolo = YoloTransforms.Train(new YoloAugmentOptions { ImgSize = size }, source, epochs: 2);
            var mixup = YoloTransforms.Train(new YoloAugmentOptions { ImgSize = size, MixUp = 1.0 }, source, epochs: 2);
            var detr = size == 128 ? DetrTransforms.Train([112, 120, 128, 136, 144], 224, [112, 128], 96, 128) : DetrTransforms.CocoTrain();
            yield return Case($"yolo_mosaic_{size}", yolo.ForEpoch(0), source, runs, options.Warmup);
            yield return Case($"yolo_mosaic_mixup_{size}", mixup.ForEpoch(0), source, runs, options.Warmup);
            yield return Case($"yolo_closed_{size}", yolo.ForEpoch(1), source, runs, options.Warmup);
            yield return Case($"yolo_val_{size}", YoloTransforms.Val(size), source, runs, options.Warmup);
            yield return Case($"detr_train_{size}", detr, source, runs, options.Warmup);
        }
    }

    static BenchResult Case(string name, IDetectionTransform transform, Images source, int runs, int warmup)
    {
        ulong seed = 0;
        void One()
        {
            var rng = new Xoshiro256StarStar(++seed);
            transform.Apply(source.Load((int)(seed % (ulong)source.Count)), ref rng);
        }
        // warm up for at least 300 ms (the JIT re-optimises hot methods after a delay), then time
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < warmup || clock.ElapsedMilliseconds < 300; i++) One();
        var r = new BenchResult { Case = name, RunsMs = BenchTimer.Measure(One, 0, runs) };
        r.Extra["samples_per_s"] = Math.Round(1000 / r.MedianMs, 1);
        return r;
    }

    /// <summary>Eight textured images of the given size with three boxes each.</summary>
    sealed class Images(int size) : ISampleSource
    {
        readonly RgbImage[] _images = Enumerable.Range(0, 8).Select(i =>
        {
            var img = new RgbImage(size, size);
            for (int k = 0; k < img.Pixels.Length; k++) img.Pixels[k] = (byte)(k * 7 + i * 31 + k / (size * 3) * 5);
            return img;
        }).ToArray();

        public int Count => _images.Length;

        public DetectionSample Load(int position)
        {
            float s = size;
            float[] boxes = [0.1f * s, 0.1f * s, 0.4f * s, 0.3f * s, 0.5f * s, 0.5f * s, 0.9f * s, 0.95f * s, 0.2f * s, 0.6f * s, 0.3f * s, 0.7f * s];
            return new DetectionSample
            {
                Image = _images[position].Clone(), Boxes = boxes, Labels = [0, 1, 2],
                Areas = [0.06f * s * s, 0.18f * s * s, 0.01f * s * s], ImageId = position + 1, OriginalWidth = size, OriginalHeight = size,
            };
        }
    }
}
