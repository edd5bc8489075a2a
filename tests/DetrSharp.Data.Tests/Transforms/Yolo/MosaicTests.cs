using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;
using Xunit;

namespace DetrSharp.Data.Tests.Transforms.Yolo;

/// <summary>Mosaic: four known boxes at the expected canvas positions for a fixed centre; clipping and dropping at the edge.</summary>
public class MosaicTests
{
    static DetectionSample[] Tiles() =>
    [
        YoloSamples.Solid(64, 48, 10, [10, 10, 30, 30], [0]),
        YoloSamples.Solid(64, 48, 60, [10, 10, 30, 30, 50, 5, 64, 20], [1, 11]),
        YoloSamples.Solid(64, 48, 110, [10, 10, 30, 30], [2]),
        YoloSamples.Solid(64, 48, 160, [10, 10, 30, 30, 60, 0, 64, 10], [3, 13]),
    ];

    [Fact]
    public void PlacesFourBoxesAroundAFixedCentre()
    {
        // size 64: a 128 × 128 canvas; centre (70, 60); tiles are 64 × 48
        var m = Mosaic.Combine(Tiles(), 70, 60, 64);
        Assert.Equal((128, 128), (m.Image.Width, m.Image.Height));
        // top-left at (6, 12), top-right at (70, 12) cut to 58 wide, bottom-left at (6, 60), bottom-right at (70, 60)
        // the top-right's second box (50..64) lands at 120..134 and is clipped to 128; the bottom-right's second
        // (60..64) lands at 130..134, outside: dropped
        Assert.Equal(new[] { 0, 1, 11, 2, 3 }, m.Labels);
        Assert.Equal(new float[]
        {
            16, 22, 36, 42,
            80, 22, 100, 42,
            120, 17, 128, 32,
            16, 70, 36, 90,
            80, 70, 100, 90,
        }, m.Boxes);
        Assert.Equal(new float[] { 400, 400, 120, 400, 400 }, m.Areas);
        Assert.Equal(1, m.ImageId);
        Assert.Null(m.Content);
        // pixels: each tile's colour in its quadrant, grey where no tile reaches
        Assert.Equal(114, YoloSamples.Rgb(m.Image, 3, 30)[0]);
        Assert.Equal(114, YoloSamples.Rgb(m.Image, 30, 5)[0]);
        Assert.Equal(10, YoloSamples.Rgb(m.Image, 6, 12)[0]);
        Assert.Equal(10, YoloSamples.Rgb(m.Image, 69, 59)[0]);
        Assert.Equal(60, YoloSamples.Rgb(m.Image, 70, 12)[0]);
        Assert.Equal(60, YoloSamples.Rgb(m.Image, 127, 59)[0]);
        Assert.Equal(110, YoloSamples.Rgb(m.Image, 6, 107)[0]);
        Assert.Equal(160, YoloSamples.Rgb(m.Image, 127, 107)[0]);
        Assert.Equal(114, YoloSamples.Rgb(m.Image, 100, 108)[0]);
    }

    [Fact]
    public void CutsTheTopLeftTileAtTheCanvasEdge()
    {
        // centre (40, 30): the first tile's left 24 and top 18 pixels fall off the canvas
        var m = Mosaic.Combine(Tiles(), 40, 30, 64);
        Assert.Equal(0, m.Labels[0]);
        Assert.Equal(new float[] { 0, 0, 6, 12 }, m.Boxes[..4]);
    }

    [Fact]
    public void DrawsThreeOthersFromTheSourceAndKeepsBoxesOnTheCanvas()
    {
        var source = new MemorySource(Tiles());
        var mosaic = new Mosaic(source, 64);
        for (ulong seed = 0; seed < 50; seed++)
        {
            var rng = new Xoshiro256StarStar(seed);
            var m = mosaic.Apply(YoloSamples.Solid(64, 48, 10, [10, 10, 30, 30], [0]), ref rng);
            Assert.Equal((128, 128), (m.Image.Width, m.Image.Height));
            Assert.Equal(m.Count * 4, m.Boxes.Length);
            for (int i = 0; i < m.Count; i++)
            {
                Assert.InRange(m.Boxes[i * 4], 0, 128);
                Assert.InRange(m.Boxes[i * 4 + 2], m.Boxes[i * 4] + 1e-6f, 128);
                Assert.InRange(m.Boxes[i * 4 + 1], 0, 128);
                Assert.InRange(m.Boxes[i * 4 + 3], m.Boxes[i * 4 + 1] + 1e-6f, 128);
            }
        }
        Assert.Equal(150, source.Loads);
    }
}
