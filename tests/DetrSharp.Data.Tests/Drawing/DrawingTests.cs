using DetrSharp.Data.Drawing;
using DetrSharp.Data.Imaging;
using DetrSharp.Data.Tests.Support;

namespace DetrSharp.Data.Tests.Drawing;

public class DrawingTests
{
    static readonly Rgb Red = new(255, 0, 0);

    static bool IsRed(RgbImage img, int x, int y) => Pixels.At(img, x, y) == (255, 0, 0);

    [Fact]
    public void RectangleOutlineHasTheGivenThicknessInsideTheBox()
    {
        var img = new RgbImage(12, 10);
        ImageDrawing.DrawRectangle(img, 2, 1, 10, 9, Red, thickness: 2);
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
        ImageDrawing.DrawRectangle(img, -3, -3, 20, 3, Red, 1);
        ImageDrawing.FillRectangle(img, 4, 4, 100, 100, Red);
        BitmapFont.DrawText(img, 3, 3, "WWW", Red, 3);
        ImageDrawing.DrawLabeledBox(img, -10, -10, 2, 2, "label off the edge", Red);
        Assert.True(IsRed(img, 0, 2));
        Assert.True(IsRed(img, 4, 4));
    }

    [Fact]
    public void FontCoversPrintableAsciiAndMeasuresText()
    {
        for (char c = '!'; c <= '~'; c++)
            Assert.Contains(BitmapFont.Glyph(c).ToArray(), b => b != 0);
        Assert.All(BitmapFont.Glyph(' ').ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(BitmapFont.Glyph('?').ToArray(), BitmapFont.Glyph('é').ToArray());
        Assert.Equal((0, 0), BitmapFont.Measure(""));
        Assert.Equal((11, 7), BitmapFont.Measure("ab"));
        Assert.Equal((22, 14), BitmapFont.Measure("ab", 2));
    }

    [Fact]
    public void TextPaintsOnlyInsideItsMeasuredBounds()
    {
        var img = new RgbImage(40, 20);
        BitmapFont.DrawText(img, 3, 4, "dog 0.97", Red, 1);
        var (w, h) = BitmapFont.Measure("dog 0.97");
        int painted = 0;
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 40; x++)
            {
                if (!IsRed(img, x, y)) continue;
                painted++;
                Assert.InRange(x, 3, 3 + w - 1);
                Assert.InRange(y, 4, 4 + h - 1);
            }
        Assert.True(painted > 30);
        // 'l' is a vertical bar in the middle column with serifs
        var l = new RgbImage(5, 7);
        BitmapFont.DrawText(l, 0, 0, "l", Red);
        for (int y = 1; y < 6; y++) Assert.True(IsRed(l, 2, y));
    }

    [Fact]
    public void LabeledBoxPutsTheTagAboveOrInsideAtTheTopEdge()
    {
        var img = new RgbImage(60, 40);
        ImageDrawing.DrawLabeledBox(img, 10, 20, 50, 38, "cat", Red, thickness: 1);
        Assert.True(IsRed(img, 10, 19)); // tag background just above the box
        Assert.False(IsRed(img, 10, 5));
        var top = new RgbImage(60, 40);
        ImageDrawing.DrawLabeledBox(top, 10, 0, 50, 30, "cat", Red, thickness: 1);
        Assert.True(IsRed(top, 11, 8)); // tag inside the box
        Assert.Equal(Rgb.White, Red.Contrasting);
        Assert.Equal(Rgb.Black, new Rgb(250, 250, 100).Contrasting);
    }
}
