using DetrSharp.Data.Drawing;
using DetrSharp.Data.Imaging;
using DetrSharp.Data.Tests.Support;

namespace DetrSharp.Data.Tests.Drawing;

/// <summary>The one drawing path (SkiaSharp through <see cref="ImageCanvas"/>): shapes, text, labelled boxes, mosaics.</summary>
public class DrawingTests
{
    static readonly Rgb Red = new(255, 0, 0);

    static bool IsRed(RgbImage img, int x, int y) => Pixels.At(img, x, y) == (255, 0, 0);

    static bool IsBlack(RgbImage img, int x, int y) => Pixels.At(img, x, y) == (0, 0, 0);

    [Fact]
    public void RectangleOutlineHasTheGivenThicknessInsideTheBox()
    {
        var img = new RgbImage(12, 10);
        using (var c = new ImageCanvas(img)) c.DrawRectangle(2, 1, 10, 9, Red, thickness: 2);
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 12; x++)
            {
                bool inBox = x >= 2 && x < 10 && y >= 1 && y < 9;
                bool inInterior = x >= 4 && x < 8 && y >= 3 && y < 7;
                Assert.Equal(inBox && !inInterior, IsRed(img, x, y));
            }
    }

    [Fact]
    public void DrawingIsClippedToTheImage()
    {
        var img = new RgbImage(5, 5);
        using (var c = new ImageCanvas(img))
        {
            c.DrawLabeledBox(new LabeledBox(-10, -10, 2, 2, 0, "label off the edge"));
            c.DrawText("WWW", 3, 3, Red, 30);
            c.DrawRectangle(-3, -3, 20, 3, Red, 1);
            c.FillRectangle(4, 4, 100, 100, Red);
        }
        Assert.True(IsRed(img, 4, 4));
        Assert.True(IsRed(img, 0, 2));
    }

    [Fact]
    public void TextPaintsOnlyNearItsMeasuredBoundsAndGrowsWithItsSize()
    {
        var img = new RgbImage(200, 60);
        var (w, h) = ImageCanvas.MeasureText("dog 0.97", 20);
        using (var c = new ImageCanvas(img)) c.DrawText("dog 0.97", 10, 12, Red, 20);
        int painted = 0;
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
            {
                if (IsBlack(img, x, y)) continue;
                painted++;
                Assert.InRange(x, 9, 10 + w + 1);
                Assert.InRange(y, 11, 12 + h + 1);
            }
        Assert.True(painted > 100, $"only {painted} pixels painted");
        var (w2, h2) = ImageCanvas.MeasureText("dog 0.97", 40);
        Assert.InRange(w2 / w, 1.8, 2.2);
        Assert.InRange(h2 / h, 1.8, 2.2);
        Assert.Equal((0f, 0f), ImageCanvas.MeasureText("", 20));
    }

    [Fact]
    public void LabeledBoxPutsTheTagAboveOrInsideAtTheTopEdge()
    {
        var img = new RgbImage(60, 40);
        using (var c = new ImageCanvas(img)) c.DrawLabeledBox(new LabeledBox(10, 20, 50, 38, 0, "cat"), thickness: 1, fontSize: 10);
        var red = Rgb.ForClass(0);
        Assert.Equal((red.R, red.G, red.B), Pixels.At(img, 10, 19)); // tag background just above the box
        Assert.True(IsBlack(img, 10, 2));
        var top = new RgbImage(60, 40);
        using (var c = new ImageCanvas(top)) c.DrawLabeledBox(new LabeledBox(10, 0, 50, 30, 0, "cat"), thickness: 1, fontSize: 10);
        Assert.Equal((red.R, red.G, red.B), Pixels.At(top, 11, 12)); // tag inside the box, below the text
        Assert.Equal(Rgb.White, Red.Contrasting);
        Assert.Equal(Rgb.Black, new Rgb(250, 250, 100).Contrasting);
    }

    [Theory]
    [InlineData(64, 48)]
    [InlineData(1920, 1080)]
    [InlineData(4000, 3000)]
    public void LabelsScaleWithTheImageSoTheyStayReadable(int width, int height)
    {
        float size = ImageDrawing.FontSize(width, height);
        Assert.InRange(size, 10, float.MaxValue);
        // about 2.5 % of the mean side on large images: the same share of the picture at any resolution
        if (width > 1000) Assert.InRange(size / ((width + height) / 2f), 0.02, 0.03);
        Assert.InRange(ImageDrawing.LineWidth(width, height), 1, Math.Max(2, (width + height) / 200f));
        var img = new RgbImage(width, height);
        ImageDrawing.DrawBoxes(img, [new LabeledBox(width * 0.3f, height * 0.4f, width * 0.7f, height * 0.9f, 2, "traffic light 0.97")]);
        // the tag above the box is as tall as the scaled text: the topmost row of the class colour above the box
        var c = Rgb.ForClass(2);
        int x1 = (int)(width * 0.3f), y1 = (int)(height * 0.4f);
        int top = y1;
        for (int y = y1 - 1; y >= 0; y--)
            if (Enumerable.Range(x1 + 1, (int)size).Any(x => Pixels.At(img, x, y) == (c.R, c.G, c.B))) top = y;
        var (_, lineHeight) = ImageCanvas.MeasureText("traffic light 0.97", size);
        Assert.InRange(y1 - top, lineHeight, lineHeight + size / 4 + 2);
    }

    [Fact]
    public void MosaicLaysTilesOutInAGridWithTheirBoxes()
    {
        var tiles = Enumerable.Range(0, 5).Select(i => new MosaicTile(Pixels.Pattern(40 + i * 10, 30),
            [new LabeledBox(2, 2, 20, 20, i, $"class {i}")], $"image {i}")).ToList();
        var m = Mosaic.Compose(tiles, columns: 3);
        Assert.Equal((3 * 160, 2 * 160), (m.Width, m.Height)); // small images: cells of the smallest size
        // the empty sixth cell keeps the grey background
        Assert.Equal(((byte)114, (byte)114, (byte)114), Pixels.At(m, 400, 240));
        var large = Mosaic.Compose([new MosaicTile(Pixels.Pattern(1000, 500), [])], columns: 4, maxCell: 300);
        Assert.Equal((300, 300), (large.Width, large.Height));
        Assert.Equal(((byte)114, (byte)114, (byte)114), Pixels.At(large, 150, 200)); // below the scaled image
        Assert.Throws<ArgumentException>(() => Mosaic.Compose([], 2));
    }
}
