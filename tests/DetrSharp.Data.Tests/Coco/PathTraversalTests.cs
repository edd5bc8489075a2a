using DetrSharp.Data.Coco;
using DetrSharp.Data.Tests.Support;

namespace DetrSharp.Data.Tests.Coco;

/// <summary>An annotation file is untrusted: its file_names must not make the loader read files outside the image folder.</summary>
public class PathTraversalTests
{
    [Theory]
    [InlineData("../../../../../../etc/hostname")]
    [InlineData("sub/../../outside.png")]
    [InlineData("/etc/hostname")]
    public void FileNamesLeadingOutsideTheImageFolderAreErrors(string fileName)
    {
        using var coco = new CocoFolder();
        coco.Category(1, "thing").Image(1, 8, 8).Image(2, 8, 8, fileName, writeFile: false);
        // a file that would exist where "sub/../../outside.png" leads
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(coco.ImageDir)!, "outside.png"), "SECRET-BYTES"u8.ToArray());
        foreach (var skip in new[] { false, true })
        {
            var e = Assert.Throws<DatasetException>(() => coco.Load(new CocoDatasetOptions { SkipInvalid = skip }));
            Assert.Contains("outside the image folder", e.Message);
            Assert.Contains(fileName, e.Message);
            Assert.DoesNotContain("SECRET", e.Message);
            if (File.Exists("/etc/hostname")) Assert.DoesNotContain(File.ReadAllText("/etc/hostname").Trim(), e.Message.Replace("hostname", ""));
        }
    }

    [Fact]
    public void FileNamesInSubfoldersStayValid()
    {
        using var coco = new CocoFolder();
        Directory.CreateDirectory(Path.Combine(coco.ImageDir, "sub"));
        coco.Category(1, "thing").Image(1, 8, 8, "sub/a.png").Image(2, 8, 8, "sub/../b.png");
        Assert.Equal(2, coco.Load().Count);
    }
}
