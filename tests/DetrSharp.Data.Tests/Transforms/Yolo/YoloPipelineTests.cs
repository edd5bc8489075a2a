using DetrSharp.Data.Coco;
using DetrSharp.Data.Imaging;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Tests.Support;
using DetrSharp.Data.Transforms;
using Xunit;

namespace DetrSharp.Data.Tests.Transforms.Yolo;

/// <summary>The whole training pipeline: boxes stay on the image and non-degenerate over many seeds; close_mosaic; mixup; the loader.</summary>
public class YoloPipelineTests
{
    // images of several shapes, with boxes in the middle, at the edges, tiny and thin; label = 10 × image + object
    static MemorySource Source() => new(
        Textured(90, 60, [10, 10, 40, 50, 0, 0, 90, 60, 85, 1, 90, 3], 0),
        Textured(60, 100, [5, 60, 55, 99, 20, 20, 22, 80], 1),
        Textured(128, 128, [0, 0, 64, 64, 64, 64, 128, 128, 100, 10, 101, 11], 2),
        Textured(200, 50, [150, 5, 199, 45], 3),
        Textured(40, 40, [], 4));

    static DetectionSample Textured(int w, int h, float[] boxes, int image)
    {
        var img = new RgbImage(w, h);
        for (int i = 0; i < img.Pixels.Length; i++) img.Pixels[i] = (byte)(i * 31 + image * 50);
        return YoloSamples.Make(img, boxes, Enumerable.Range(0, boxes.Length / 4).Select(k => 10 * image + k).ToArray(), id: image + 1);
    }

    static void AssertValid(DetectionSample s, int size)
    {
        Assert.Equal((size, size), (s.Image.Width, s.Image.Height));
        Assert.Equal(s.Count * 4, s.Boxes.Length);
        Assert.Equal(s.Count, s.Areas.Length);
        for (int i = 0; i < s.Count; i++)
        {
            float x1 = s.Boxes[i * 4], y1 = s.Boxes[i * 4 + 1], x2 = s.Boxes[i * 4 + 2], y2 = s.Boxes[i * 4 + 3];
            Assert.True(x1 >= 0 && y1 >= 0 && x2 <= size && y2 <= size, $"box {i} ({x1}, {y1}, {x2}, {y2}) leaves the {size}px image");
            Assert.True(x2 - x1 > 2 && y2 - y1 > 2, $"box {i} ({x1}, {y1}, {x2}, {y2}) is degenerate");
            Assert.True(x2 - x1 < 100 * (y2 - y1) && y2 - y1 < 100 * (x2 - x1), $"box {i} is thinner than 1:100");
        }
    }

    [Theory]
    [InlineData(1.0, 0.0, 0, 0, 0)]
    [InlineData(0.5, 0.5, 10, 5, 0.0005)]
    [InlineData(0.0, 1.0, 45, 10, 0.001)]
    public void BoxesStayOnTheImageAndNonDegenerateOverManySeeds(double mosaic, double mixup, double degrees, double shear, double perspective)
    {
        var options = new YoloAugmentOptions { ImgSize = 64, Mosaic = mosaic, MixUp = mixup, Degrees = degrees, Shear = shear, Perspective = perspective };
        var pipeline = YoloTransforms.Train(options, Source(), epochs: 20);
        var source = Source();
        int objects = 0;
        foreach (int epoch in new[] { 0, 19 })
            for (ulong seed = 0; seed < 150; seed++)
            {
                var rng = new Xoshiro256StarStar(SplitMix64.Combine(seed, (ulong)epoch));
                var s = pipeline.ForEpoch(epoch).Apply(source.Load((int)(seed % (ulong)source.Count)), ref rng);
                AssertValid(s, 64);
                objects += s.Count;
            }
        Assert.True(objects > 100, $"only {objects} objects survived 300 samples");
    }

    [Fact]
    public void TheSameSeedGivesTheSameSample()
    {
        var options = new YoloAugmentOptions { ImgSize = 64, MixUp = 0.5, Degrees = 10 };
        var pipeline = YoloTransforms.Train(options, Source(), epochs: 20);
        var source = Source();
        DetectionSample Run(ulong seed)
        {
            var rng = new Xoshiro256StarStar(seed);
            return pipeline.ForEpoch(0).Apply(source.Load(1), ref rng);
        }
        for (ulong seed = 0; seed < 10; seed++)
        {
            var a = Run(seed);
            var b = Run(seed);
            Assert.Equal(a.Image.Pixels, b.Image.Pixels);
            Assert.Equal(a.Boxes, b.Boxes);
            Assert.Equal(a.Labels, b.Labels);
        }
        Assert.NotEqual(Run(1).Image.Pixels, Run(2).Image.Pixels);
    }

    [Fact]
    public void CloseMosaicSwitchesOffForTheLastEpochs()
    {
        var options = new YoloAugmentOptions { ImgSize = 64, Mosaic = 1.0, MixUp = 1.0, CloseMosaic = 3 };
        var pipeline = YoloTransforms.Train(options, Source(), epochs: 12);
        Assert.Equal(9, pipeline.CloseMosaicEpoch);
        Assert.True(pipeline.MosaicOn(8));
        Assert.False(pipeline.MosaicOn(9));
        var source = Source();
        // image 2's own labels are 20..22: others appear only through mosaic or mixup
        bool Foreign(int epoch, ulong seed)
        {
            var rng = new Xoshiro256StarStar(seed);
            var s = pipeline.ForEpoch(epoch).Apply(source.Load(2), ref rng);
            AssertValid(s, 64);
            return s.Labels.Any(l => l / 10 != 2);
        }
        Assert.Contains(Enumerable.Range(0, 10), seed => Foreign(8, (ulong)seed));
        foreach (int epoch in new[] { 9, 10, 11 })
            Assert.DoesNotContain(Enumerable.Range(0, 30), seed => Foreign(epoch, (ulong)seed));
        // close_mosaic 0 keeps it to the end; more than the epochs closes it from the start
        Assert.True(YoloTransforms.Train(options with { CloseMosaic = 0 }, source, 12).MosaicOn(11));
        Assert.False(YoloTransforms.Train(options with { CloseMosaic = 20 }, source, 12).MosaicOn(0));
    }

    [Fact]
    public void MixUpInThePipelineBringsASecondImagesObjects()
    {
        var source = Source();
        var pipeline = YoloTransforms.Train(new YoloAugmentOptions { ImgSize = 64, Mosaic = 0, MixUp = 1.0, HsvH = 0, HsvS = 0, HsvV = 0 }, source, epochs: 20);
        int mixed = 0;
        for (ulong seed = 0; seed < 30; seed++)
        {
            var rng = new Xoshiro256StarStar(seed);
            var s = pipeline.ForEpoch(0).Apply(source.Load(2), ref rng);
            AssertValid(s, 64);
            if (s.Labels.Any(l => l / 10 != 2)) mixed++;
        }
        // images 0 to 3 have objects, 4 none: most draws bring some
        Assert.True(mixed >= 10, $"only {mixed} of 30 samples hold another image's objects");
    }

    [Fact]
    public void MixUpBlendsTwoImagesAndKeepsBothObjectSets()
    {
        var a = YoloSamples.Solid(8, 8, 200, [1, 1, 4, 4], [1]);
        var b = YoloSamples.Solid(8, 8, 100, [2, 2, 7, 7], [2]);
        var m = MixUp.Blend(a, b, 0.25);
        Assert.All(m.Image.Pixels, p => Assert.Equal(125, p));   // ⌊200·0.25 + 100·0.75⌋
        Assert.Equal(new[] { 1, 2 }, m.Labels);
        Assert.Equal(new float[] { 1, 1, 4, 4, 2, 2, 7, 7 }, m.Boxes);
        // Beta(32, 32): mean 0.5, standard deviation 1/√260 ≈ 0.062
        var rng = new Xoshiro256StarStar(9);
        var draws = Enumerable.Range(0, 4000).Select(_ => MixUp.Beta(32, 32, ref rng)).ToArray();
        double mean = draws.Average(), sd = Math.Sqrt(draws.Select(d => (d - mean) * (d - mean)).Average());
        Assert.InRange(mean, 0.49, 0.51);
        Assert.InRange(sd, 0.055, 0.069);
        Assert.All(draws, d => Assert.InRange(d, 0.0, 1.0));
    }

    [Fact]
    public void TheLoaderAppliesEachEpochsPipelineWithTheDatasetAsSource()
    {
        using var folder = new CocoFolder();
        for (int i = 1; i <= 4; i++) folder.Category(i, $"c{i}");
        for (int i = 1; i <= 4; i++) folder.Image(i, 48 + 8 * i, 40).Annotation(i, i, i, [4, 4, 20, 20]).Annotation(10 + i, i, i, [2, 2, 40 + 8 * i, 36]);
        var dataset = folder.Load();
        var pipeline = YoloTransforms.Train(new YoloAugmentOptions { ImgSize = 32, Translate = 0, Scale = 0, FlipLR = 0, HsvH = 0, HsvS = 0, HsvV = 0, CloseMosaic = 1 },
            new CocoSampleSource(dataset), epochs: 2);
        var loader = new DataLoader(dataset, pipeline.ForEpoch, new DataLoaderOptions { BatchSize = 2, Shuffle = false, Workers = 1 });
        // epoch 0 (mosaic): objects of several images; epoch 1 (closed): each image alone, letterboxed to 32
        var open = Enumerable.Range(0, 4).Select(p => loader.LoadSample(p, 0)).ToList();
        var closed = Enumerable.Range(0, 4).Select(p => loader.LoadSample(p, 1)).ToList();
        Assert.All(open.Concat(closed), s => AssertValid(s, 32));
        Assert.True(open.Any(s => s.Labels.Distinct().Count() > 1), "the mosaics hold no object of another image");
        Assert.All(closed, s => Assert.Equal(2, s.Count));
        Assert.Equal(Enumerable.Range(0, 4), closed.Select(s => s.Labels.Distinct().Single()));
        // 56 × 40 letterboxed to 32: × 32/56 per axis, 32 × 23 at top 4 (round(4.4)); a 16 px box → 9.14 px
        Assert.Equal(new float[] { 4 * 32f / 56, 4 + 4 * 23f / 40, 24 * 32f / 56, 4 + 24 * 23f / 40 }, closed[0].Boxes[..4],
            new RoundedComparer());
        using var batch = loader.Epoch(1).First();
        Assert.Equal(new long[] { 2, 3, 32, 32 }, batch.Images.shape);
    }

    sealed class RoundedComparer : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) < 1e-3;
        public int GetHashCode(float v) => 0;
    }
}
