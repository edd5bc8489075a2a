using DetrSharp.Data.Coco;
using DetrSharp.Data.Imaging;
using DetrSharp.Data.Tests.Support;

namespace DetrSharp.Data.Tests.Coco;

public class CocoDatasetTests
{
    [Fact]
    public void CategoryIdsMapToContiguousLabelsInIdOrder()
    {
        using var f = new CocoFolder();
        f.Category(90, "toothbrush").Category(7, "train").Category(2, "bicycle").Image(1, 50, 40)
         .Annotation(1, 1, 90, [1, 1, 5, 5]).Annotation(2, 1, 2, [2, 2, 5, 5]).Annotation(3, 1, 7, [3, 3, 5, 5]);
        var ds = f.Load();
        Assert.Equal(["bicycle", "train", "toothbrush"], ds.CategoryNames);
        Assert.Equal([2, 7, 90], ds.Categories.Ids);
        Assert.Equal(3, ds.Categories.Count);
        Assert.Equal(1, ds.Categories.LabelOf(7));
        Assert.Equal(90, ds.Categories.CategoryIdOf(2));
        Assert.Equal("train", ds.Categories.NameOf(1));
        Assert.False(ds.Categories.TryGetLabel(3, out _));
        Assert.Throws<KeyNotFoundException>(() => ds.Categories.LabelOf(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.Categories.CategoryIdOf(3));
        var r = ds.GetRecord(0);
        Assert.Equal([2, 0, 1], r.Labels);
        Assert.Equal([90, 2, 7], r.CategoryIds);
    }

    [Fact]
    public void ImagesAreOrderedByIdAndNegativesAreKept()
    {
        using var f = new CocoFolder();
        f.Category(1, "a").Image(30, 20, 20).Image(4, 20, 20).Image(17, 20, 20).Annotation(1, 17, 1, [0, 0, 5, 5]);
        var ds = f.Load();
        Assert.Equal(3, ds.Count);
        Assert.Equal([4L, 17L, 30L], Enumerable.Range(0, 3).Select(ds.ImageIdAt));
        Assert.Equal(1, ds.IndexOfImageId(17));
        Assert.Equal(-1, ds.IndexOfImageId(5));
        var negative = ds.GetRecord(0);
        Assert.Equal(0, negative.Count);
        Assert.Empty(negative.Boxes);
        Assert.Empty(negative.Areas);
        Assert.Equal(1, ds.GetRecord(1).Count);
        Assert.Equal(Path.Combine(f.ImageDir, "img30.png"), ds.GetRecord(2).FilePath);
    }

    [Fact]
    public void BoxesBecomeClippedXyxyAsTheReferenceComputesThem()
    {
        using var f = new CocoFolder();
        f.Category(1, "a").Image(1, 100, 80)
         .Annotation(10, 1, 1, [10.5, 20.25, 30, 40], area: 1000.5)
         .Annotation(11, 1, 1, [-0.5, 1, 10, 10])        // slightly left of the image: clipped to 0
         .Annotation(12, 1, 1, [95, 70, 5.8, 10.4])      // slightly beyond right/bottom: clipped
         .Annotation(13, 1, 1, [50, 50, 0, 10])          // zero width: dropped
         .Annotation(14, 1, 1, [0.1, 0.2, 0.3, 0.7]);    // float32 arithmetic
        var r = f.Load().GetRecord(0);
        Assert.Equal([10L, 11L, 12L, 14L], r.AnnotationIds);
        Assert.Equal(4, r.Count);
        Assert.Equal(new float[] { 10.5f, 20.25f, 40.5f, 60.25f }, r.Boxes[0..4]);
        Assert.Equal(new float[] { 0f, 1f, 9.5f, 11f }, r.Boxes[4..8]);
        Assert.Equal(new float[] { 95f, 70f, 100f, 80f }, r.Boxes[8..12]);
        Assert.Equal(new float[] { 0.1f, 0.2f, 0.1f + 0.3f, 0.2f + 0.7f }, r.Boxes[12..16]);
        Assert.Equal(1000.5f, r.Areas[0]);
        Assert.Equal(new[] { 0, 0, 0, 0 }, r.IsCrowd);
    }

    [Fact]
    public void CrowdAnnotationsAreDroppedByDefaultAndKeptOnRequest()
    {
        using var f = new CocoFolder();
        f.Category(1, "a").Image(1, 50, 50)
         .Annotation(1, 1, 1, [1, 1, 10, 10], iscrowd: 1)
         .Annotation(2, 1, 1, [2, 2, 10, 10], iscrowd: 0)
         .Annotation(3, 1, 1, [3, 3, 10, 10], iscrowd: null); // absent counts as 0
        Assert.Equal([2L, 3L], f.Load().GetRecord(0).AnnotationIds);
        var all = f.Load(new CocoDatasetOptions { DropCrowd = false }).GetRecord(0);
        Assert.Equal([1L, 2L, 3L], all.AnnotationIds);
        Assert.Equal([1, 0, 0], all.IsCrowd);
    }

    [Fact]
    public void RecordsAreFreshCopies()
    {
        using var f = new CocoFolder();
        f.Category(1, "a").Image(1, 50, 50).Annotation(1, 1, 1, [1, 1, 10, 10]);
        var ds = f.Load();
        ds.GetRecord(0).Boxes[0] = 999;
        Assert.Equal(1f, ds.GetRecord(0).Boxes[0]);
    }

    [Fact]
    public void MissingAreaIsTheBoxArea()
    {
        using var f = new CocoFolder();
        f.Category(1, "a").Image(1, 50, 50).Annotation(1, 1, 1, [1, 1, 10, 4]);
        f.Annotations[0]!.AsObject().Remove("area");
        Assert.Equal(40f, f.Load().GetRecord(0).Areas[0]);
    }

    [Fact]
    public void LoadImageDecodesAndChecksTheSize()
    {
        using var f = new CocoFolder();
        f.Category(1, "a").Image(1, 12, 9).Image(2, 30, 30, writeFile: false);
        ImageCodec.WritePng(Path.Combine(f.ImageDir, "img2.png"), Pixels.Pattern(31, 30));
        var ds = f.Load();
        Assert.Equal(Pixels.Pattern(12, 9).Pixels, ds.LoadImage(0).Pixels);
        var e = Assert.Throws<DatasetException>(() => ds.LoadImage(1));
        Assert.Contains("image id 2", e.Message);
        Assert.Contains("31x30", e.Message);
        Assert.Contains("img2.png", e.Message);
        Assert.Equal(2L, e.ImageId);
        Assert.Equal(31, f.Load(new CocoDatasetOptions { CheckImageSize = false }).LoadImage(1).Width);
    }

    [Fact]
    public void ImageDeletedAfterLoadingFailsWithItsName()
    {
        using var f = new CocoFolder();
        f.Category(1, "a").Image(1, 8, 8);
        var ds = f.Load();
        File.Delete(Path.Combine(f.ImageDir, "img1.png"));
        var e = Assert.Throws<ImageDecodeException>(() => ds.LoadImage(0));
        Assert.Contains("img1.png", e.Message);
    }

    [Fact]
    public void CorruptImageFailsWithItsName()
    {
        using var f = new CocoFolder();
        f.Category(1, "a").Image(1, 8, 8);
        var path = Path.Combine(f.ImageDir, "img1.png");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..30]);
        var e = Assert.Throws<ImageDecodeException>(() => f.Load().LoadImage(0));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void InstancesRoundTripThroughWriteAndRead()
    {
        using var f = new CocoFolder();
        f.Category(3, "c").Image(5, 10, 20).Annotation(8, 5, 3, [1, 2, 3, 4], area: 7);
        var read = CocoInstances.Read(f.Write());
        using var dir = new TempDir();
        read.Write(dir.File("copy.json"));
        var again = CocoInstances.Read(dir.File("copy.json"));
        Assert.Equal("test", again.Info!["description"]!.ToString());
        Assert.Equal(5L, again.Images![0].Id);
        Assert.Equal(20.0, again.Images[0].Height);
        Assert.Equal([1.0, 2, 3, 4], again.Annotations![0].Bbox!);
        Assert.Equal(7.0, again.Annotations[0].Area);
        Assert.Equal("c", again.Categories![0].Name);
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
