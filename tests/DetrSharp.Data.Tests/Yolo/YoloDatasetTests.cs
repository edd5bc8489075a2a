using DetrSharp.Data.Coco;
using DetrSharp.Data.Imaging;
using DetrSharp.Data.Tests.Support;
using DetrSharp.Data.Yolo;

namespace DetrSharp.Data.Tests.Yolo;

public class YoloDatasetTests
{
    static CocoDataset Load(YoloFolder f, string split = "train", bool skip = false, List<string>? warnings = null) =>
        YoloDataset.Load(YoloDataYaml.Read(f.Yaml), split, new CocoDatasetOptions { SkipInvalid = skip }, warnings == null ? null : warnings.Add);

    [Fact]
    public void BoxesBecomePixelRecordsWithClassIndexLabelsAndBackgroundImagesAreKept()
    {
        using var f = new YoloFolder();
        f.Image("train", "b.png", "2 0.5 0.5 0.5 0.5\n0 0.25 0.5 0.1 0.2\n", width: 40, height: 30);
        f.Image("train", "a.png", labels: null);          // no label file: background
        f.Image("train", "c.png", labels: "\n");          // empty label file: background
        var ds = Load(f);
        Assert.Equal(3, ds.Count);
        Assert.Equal(["cat", "dog", "bird"], ds.CategoryNames);
        Assert.Equal([0, 1, 2], ds.Categories.Ids);
        // sorted by path, ids 1..n
        Assert.Equal(["a.png", "b.png", "c.png"], Enumerable.Range(0, 3).Select(i => ds.GetRecord(i).FileName));
        Assert.Equal([1L, 2, 3], Enumerable.Range(0, 3).Select(ds.ImageIdAt));
        Assert.Equal(0, ds.GetRecord(0).Count);
        Assert.Equal(0, ds.GetRecord(2).Count);
        var r = ds.GetRecord(1);
        Assert.Equal((40, 30), (r.Width, r.Height));
        Assert.Equal([2, 0], r.Labels);
        Assert.Equal([10f, 7.5f, 30f, 22.5f, 8f, 12f, 12f, 18f], r.Boxes);
        Assert.Equal(Path.Combine(f.Root, "images", "train", "b.png"), r.FilePath);
        Assert.Equal((40, 30), (ds.LoadImage(1).Width, ds.LoadImage(1).Height));
    }

    [Fact]
    public void BoxesReachingBeyondTheImageAreClippedAsUltralyticsDoes()
    {
        using var f = new YoloFolder();
        f.Image("train", "a.png", "1 0.05 0.9 0.2 0.4\n", width: 100, height: 100);
        var r = Load(f).GetRecord(0);
        Assert.Equal([0f, 70f, 15f, 100f], r.Boxes);
    }

    [Fact]
    public void DuplicateLinesAreDroppedWithAWarningNamingTheFiles()
    {
        using var f = new YoloFolder();
        f.Image("train", "a.png", "0 0.5 0.5 0.2 0.2\n1 0.3 0.3 0.1 0.1\n0 0.5 0.50 0.2 0.2\n");
        var warnings = new List<string>();
        var r = Load(f, warnings: warnings).GetRecord(0);
        Assert.Equal([0, 1], r.Labels);
        var w = Assert.Single(warnings);
        Assert.Contains("1 duplicate label line(s) removed", w);
        Assert.Contains(Path.Combine("labels", "train", "a.txt"), w);
        Assert.Contains(Path.Combine("images", "train", "a.png"), w);
    }

    [Theory]
    [InlineData("0 0.5 0.5 0.2 0.2\n3 0.5 0.5 0.2 0.2\n", 2, "class 3 is out of range: the dataset has 3 classes (0-2)")]
    [InlineData("-1 0.5 0.5 0.2 0.2\n", 1, "class -1 is negative")]
    [InlineData("1.5 0.5 0.5 0.2 0.2\n", 1, "class 1.5 is not a whole number")]
    [InlineData("0 0.5 0.5 0.2\n", 1, "4 values; a box is 'class cx cy w h' (5 values)")]
    [InlineData("\n\n0 0.5 0.5 0.2 0.2 0.9\n", 3, "6 values")]
    [InlineData("0 0.5 abc 0.2 0.2\n", 1, "'abc' (value 3) is not a number")]
    [InlineData("0 0.5 0.5 1.2 0.2\n", 1, "coordinate 1.2 (value 4) is above 1")]
    [InlineData("0 50 40 20 10\n", 1, "coordinate 50 (value 2) is above 1: coordinates are normalised")]
    [InlineData("0 0.5 -0.1 0.2 0.2\n", 1, "coordinate -0.1 (value 3) is negative")]
    [InlineData("0 0.5 0.5 0 0.2\n", 1, "degenerate box: width 0 and height 0.2")]
    [InlineData("0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.3 0\n", 2, "degenerate box")]
    public void EachBadLabelIsAnErrorNamingTheFileAndLine(string labels, int line, string problem)
    {
        using var f = new YoloFolder();
        f.Image("train", "good.png", "0 0.5 0.5 0.2 0.2\n");
        f.Image("train", "bad.png", labels);
        var e = Assert.Throws<DatasetException>(() => Load(f));
        Assert.Contains($"{f.LabelOf("train", "bad.png")} line {line}: {problem}", e.Message);
        Assert.Equal(f.LabelOf("train", "bad.png"), e.FilePath);
    }

    [Fact]
    public void ToleranceAcceptsRoundingJustBeyondOne()
    {
        using var f = new YoloFolder();
        f.Image("train", "a.png", "0 0.5 0.5 1.0000004 0.2\n");
        Assert.Equal(1, Load(f).GetRecord(0).Count);
    }

    [Fact]
    public void PolygonLinesAreBoxed()
    {
        using var f = new YoloFolder();
        f.Image("train", "a.png", "1 0.1 0.2 0.5 0.2 0.3 0.6\n", width: 100, height: 50);
        var r = Load(f).GetRecord(0);
        Assert.Equal([1], r.Labels);
        Assert.Equal(new[] { 10f, 10f, 50f, 30f }, r.Boxes.Select(v => MathF.Round(v, 4)));
    }

    [Fact]
    public void CorruptAndTinyImagesAreErrorsNamingTheFile()
    {
        using var f = new YoloFolder();
        f.Image("train", "a.png", "0 0.5 0.5 0.2 0.2\n");
        var broken = Path.Combine(f.Root, "images", "train", "broken.jpg");
        File.WriteAllBytes(broken, [0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3]);
        var e = Assert.Throws<DatasetException>(() => Load(f));
        Assert.Contains(broken, e.Message);
        Assert.Contains("corrupt or unreadable image", e.Message);

        File.Delete(broken);
        var webp = Path.Combine(f.Root, "images", "train", "x.webp");
        File.WriteAllBytes(webp, "RIFF\0\0\0\0WEBPVP8 "u8.ToArray());
        Assert.Contains("not a JPEG or PNG", Assert.Throws<DatasetException>(() => Load(f)).Message);

        File.Delete(webp);
        var tiny = f.Image("train", "tiny.png", "0 0.5 0.5 0.2 0.2\n", width: 9, height: 30);
        var t = Assert.Throws<DatasetException>(() => Load(f));
        Assert.Contains($"image '{tiny}' is 9x30 pixels; images must be at least 10 pixels on each side", t.Message);
    }

    [Fact]
    public void SkipInvalidLeavesBadFilesOutAndListsThem()
    {
        using var f = new YoloFolder();
        f.Image("train", "a.png", "0 0.5 0.5 0.2 0.2\n");
        f.Image("train", "b.png", "7 0.5 0.5 0.2 0.2\n");
        f.Image("train", "c.png", "1 0.5 0.5 0.2 0.2\n");
        File.WriteAllText(Path.Combine(f.Root, "images", "train", "d.png"), "not an image");
        var e = Assert.Throws<DatasetException>(() => Load(f));
        Assert.Contains("b.txt line 1: class 7", e.Message);
        Assert.Contains("and 1 more bad image(s) or label file(s)", e.Message);

        var ds = Load(f, skip: true);
        Assert.Equal(["a.png", "c.png"], Enumerable.Range(0, ds.Count).Select(i => ds.GetRecord(i).FileName));
        Assert.Equal([1L, 3], Enumerable.Range(0, ds.Count).Select(ds.ImageIdAt)); // ids stay those of the full list
        Assert.Equal(2, ds.Problems.Count);
        Assert.Contains("b.txt line 1", ds.Problems[0].Message);
        Assert.Contains("d.png", ds.Problems[1].Message);
        Assert.Equal(4, ds.Problems[1].ImageId);
    }

    [Fact]
    public void ATxtListNamesTheImagesRelativeToItsFolder()
    {
        using var f = new YoloFolder("train: lists/train.txt\nval: images/val\nnc: 3\n");
        f.Image("train", "a.png", "0 0.5 0.5 0.2 0.2\n");
        f.Image("extra", "b.png", "2 0.5 0.5 0.2 0.2\n");
        f.Image("train", "unlisted.png", null);
        Directory.CreateDirectory(Path.Combine(f.Root, "lists"));
        File.WriteAllText(Path.Combine(f.Root, "lists", "train.txt"), "../images/extra/b.png\n./../images/train/a.png\n\nnotes.md\n");
        var ds = Load(f);
        Assert.Equal(2, ds.Count);
        Assert.Equal(Path.Combine(f.Root, "images"), ds.ImageDirectory);
        Assert.Equal([Path.Combine("extra", "b.png"), Path.Combine("train", "a.png")], Enumerable.Range(0, 2).Select(i => ds.GetRecord(i).FileName));
        Assert.Equal([2], ds.GetRecord(0).Labels);
        Assert.Equal(["class_0", "class_1", "class_2"], ds.CategoryNames);
    }

    [Fact]
    public void FoldersAreSearchedRecursivelyAndMissingSourcesNamed()
    {
        using var f = new YoloFolder();
        f.Image("train", Path.Combine("sub", "a.png"), "1 0.5 0.5 0.2 0.2\n");
        Assert.Equal([1], Load(f).GetRecord(0).Labels);
        var e = Assert.Throws<DatasetException>(() => Load(f, "val"));
        Assert.Contains($"image source '{Path.Combine(f.Root, "images", "val")}' does not exist", e.Message);
        Directory.CreateDirectory(Path.Combine(f.Root, "images", "val"));
        Assert.Contains("no images found", Assert.Throws<DatasetException>(() => Load(f, "val")).Message);
    }

    [Fact]
    public void LabelPathsFollowUltralytics()
    {
        Assert.Equal("/d/images/x/labels/train/a.txt", YoloImageFiles.LabelPathOf("/d/images/x/images/train/a.jpg"));
        Assert.Equal("/d/pics/a.b.txt", YoloImageFiles.LabelPathOf("/d/pics/a.b.png"));
    }

    [Fact]
    public void SizesAreThoseOfTheUprightPictureAsTheLoaderDecodesIt()
    {
        using var f = new YoloFolder();
        var jpeg = TestJpeg.Encode(new byte[40 * 20 * 3], 40, 20, TestJpeg.PfRgb, TestJpeg.Samp444);
        var path = Path.Combine(f.Root, "images", "train", "rotated.jpg");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, TestJpeg.InsertAfterSoi(jpeg, TestJpeg.ExifSegment(6, bigEndian: false)));
        File.WriteAllText(f.LabelOf("train", "rotated.jpg"), "0 0.5 0.5 0.5 0.5\n");
        var ds = Load(f);
        var r = ds.GetRecord(0);
        Assert.Equal((20, 40), (r.Width, r.Height));
        Assert.Equal([5f, 10f, 15f, 30f], r.Boxes);
        Assert.True(ds.Options.ApplyExifOrientation);
        Assert.Equal((20, 40), (ds.LoadImage(0).Width, ds.LoadImage(0).Height));
        Assert.Equal((20, 40), ImageCodec.ReadSize(path, null, applyExifOrientation: true));
        Assert.Equal((40, 20), ImageCodec.ReadSize(path));
    }
}
