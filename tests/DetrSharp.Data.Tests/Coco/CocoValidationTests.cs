using System.Text.Json.Nodes;
using DetrSharp.Data.Coco;
using DetrSharp.Data.Tests.Support;

namespace DetrSharp.Data.Tests.Coco;

public class CocoValidationTests
{
    static CocoFolder Valid()
    {
        var f = new CocoFolder();
        f.Category(1, "a").Category(2, "b").Image(1, 40, 30).Image(2, 40, 30).Annotation(1, 1, 1, [1, 1, 10, 10]);
        return f;
    }

    static DatasetException Fails(CocoFolder f, params string[] fragments)
    {
        var e = Assert.Throws<DatasetException>(() => f.Load());
        Assert.Contains(f.AnnotationFile, e.Message);
        foreach (var s in fragments) Assert.Contains(s, e.Message);
        Assert.Equal(f.AnnotationFile, e.FilePath);
        return e;
    }

    [Fact]
    public void AValidFolderLoads()
    {
        using var f = Valid();
        var ds = f.Load();
        Assert.Equal(2, ds.Count);
        Assert.Empty(ds.Problems);
    }

    [Fact]
    public void AnnotationOfUnknownImage()
    {
        using var f = Valid();
        f.Annotation(7, 99, 1, [1, 1, 2, 2]);
        var e = Fails(f, "annotation id 7", "image id 99");
        Assert.Equal(7L, e.AnnotationId);
        Assert.Equal(99L, e.ImageId);
    }

    [Theory]
    [InlineData(0, 30)]
    [InlineData(40, -5)]
    public void NonPositiveImageSize(int w, int h)
    {
        using var f = Valid();
        f.Image(3, w, h);
        Fails(f, "image id 3", "img3.png", $"{w}x{h}");
    }

    [Fact]
    public void FractionalImageSize()
    {
        using var f = Valid();
        f.Image(3, 10, 10);
        f.Images[2]!["width"] = 10.5;
        Fails(f, "image id 3", "10.5x10");
    }

    [Theory]
    [InlineData(35, 1, 10, 10)]   // right edge 45 > 40 + tolerance
    [InlineData(-3, 1, 10, 10)]   // left of the image
    [InlineData(1, 25, 5, 10)]    // below
    public void BoxOutsideTheImage(double x, double y, double w, double h)
    {
        using var f = Valid();
        f.Annotation(5, 2, 1, [x, y, w, h]);
        Fails(f, "annotation id 5", "image id 2", "img2.png", "outside the 40x30 image");
    }

    [Fact]
    public void BoxWithinTheToleranceIsAccepted()
    {
        using var f = Valid();
        f.Annotation(5, 2, 1, [30, 20, 11, 10.5]); // 1 px + 1% beyond
        Assert.Equal(new float[] { 30, 20, 40, 30 }, f.Load().GetRecord(1).Boxes);
    }

    [Theory]
    [InlineData(-1, 5)]
    [InlineData(5, -0.5)]
    public void NegativeBoxSize(double w, double h)
    {
        using var f = Valid();
        f.Annotation(5, 2, 1, [10, 10, w, h]);
        Fails(f, "annotation id 5", "negative width or height");
    }

    [Fact]
    public void MalformedBbox()
    {
        using var f = Valid();
        f.Annotation(5, 2, 1, [1, 2, 3]);
        Fails(f, "annotation id 5", "3 numbers");
    }

    [Fact]
    public void MissingImageFile()
    {
        using var f = Valid();
        f.Image(3, 10, 10, "gone.jpg", writeFile: false);
        Fails(f, "image id 3", "gone.jpg", "not found");
        Assert.Equal(3, f.Load(new CocoDatasetOptions { CheckImageFiles = false }).Count);
    }

    [Fact]
    public void DuplicateImageId()
    {
        using var f = Valid();
        f.Image(2, 40, 30, "other.png");
        Fails(f, "image id 2 appears more than once");
    }

    [Fact]
    public void DuplicateAnnotationId()
    {
        using var f = Valid();
        f.Annotation(1, 2, 1, [1, 1, 2, 2]);
        Fails(f, "annotation id 1 appears more than once");
    }

    [Fact]
    public void UnknownCategory()
    {
        using var f = Valid();
        f.Annotation(5, 2, 3, [1, 1, 2, 2]);
        Fails(f, "annotation id 5", "category id 3");
    }

    [Fact]
    public void DuplicateOrMissingCategories()
    {
        using (var f = Valid())
        {
            f.Category(2, "again");
            Fails(f, "category id 2 appears more than once");
        }
        using (var f = Valid())
        {
            f.Categories.Clear();
            Fails(f, "\"categories\" array is empty");
        }
    }

    [Fact]
    public void BadIscrowd()
    {
        using var f = Valid();
        f.Annotation(5, 2, 1, [1, 1, 2, 2], iscrowd: 2);
        Fails(f, "annotation id 5", "iscrowd 2");
    }

    [Fact]
    public void MissingFields()
    {
        using var f = Valid();
        f.Annotations[0]!.AsObject().Remove("category_id");
        Fails(f, "annotation id 1", "no \"category_id\"");
    }

    [Fact]
    public void MalformedJsonNamesFileAndPlace()
    {
        using var f = Valid();
        f.Write();
        File.WriteAllText(f.AnnotationFile, File.ReadAllText(f.AnnotationFile).Replace("\"width\": 40", "\"width\": \"wide\""));
        var e = Assert.Throws<DatasetException>(() => CocoDataset.Load(f.AnnotationFile, f.ImageDir));
        Assert.Contains(f.AnnotationFile, e.Message);
        Assert.Contains("$.images[0].width", e.Message);
        Assert.Contains("line", e.Message);
        using var dir = new TempDir();
        var missing = Assert.Throws<DatasetException>(() => CocoDataset.Load(dir.File("none.json"), dir.Path));
        Assert.Contains("none.json", missing.Message);
    }

    [Fact]
    public void SeveralProblemsAreAllListed()
    {
        using var f = Valid();
        f.Annotation(5, 2, 3, [1, 1, 2, 2]).Annotation(6, 77, 1, [1, 1, 2, 2]);
        var e = Fails(f, "and 1 more problem");
        Assert.Equal(2, e.Problems.Count);
        Assert.Contains("image id 77", e.Problems[1].Message);
    }

    [Fact]
    public void SkipInvalidLeavesOutBadImagesAndReportsThem()
    {
        using var f = Valid();
        f.Image(3, 40, 30).Image(4, 40, 30, "gone.png", writeFile: false)
         .Annotation(5, 3, 1, [35, 1, 10, 10])      // bad box: image 3 left out
         .Annotation(6, 2, 2, [1, 1, 5, 5])         // fine
         .Annotation(7, 99, 1, [1, 1, 5, 5]);       // unknown image: annotation left out
        var ds = f.Load(new CocoDatasetOptions { SkipInvalid = true });
        Assert.Equal([1L, 2L], Enumerable.Range(0, ds.Count).Select(ds.ImageIdAt));
        Assert.Equal(3, ds.Problems.Count);
        Assert.Contains(ds.Problems, p => p.ImageId == 3 && p.AnnotationId == 5);
        Assert.Contains(ds.Problems, p => p.ImageId == 4 && p.Message.Contains("gone.png"));
        Assert.Contains(ds.Problems, p => p.AnnotationId == 7);
        Assert.Equal([1], ds.GetRecord(1).Labels);
    }

    [Fact]
    public void CategoryProblemsThrowEvenWhenSkipping()
    {
        using var f = Valid();
        f.Categories.Add(new JsonObject { ["id"] = 9 });
        var e = Assert.Throws<DatasetException>(() => f.Load(new CocoDatasetOptions { SkipInvalid = true }));
        Assert.Contains("category id 9 has no \"name\"", e.Message);
    }
}
