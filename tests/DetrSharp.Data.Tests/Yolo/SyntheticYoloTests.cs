using DetrSharp.Data.Coco;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Tests.Support;
using DetrSharp.Data.Yolo;

namespace DetrSharp.Data.Tests.Yolo;

public class SyntheticYoloTests
{
    static SyntheticShapesOptions Options(SyntheticShapesFormat format, int train = 12) => new()
    {
        TrainImages = train, ValImages = 5, ImageSize = 64, Seed = 3, Format = format,
    };

    [Fact]
    public void TheYoloFormHoldsTheSameImagesAndBoxesAsTheCocoForm()
    {
        using var coco = new TempDir();
        using var yolo = new TempDir();
        SyntheticShapes.Generate(coco.Path, Options(SyntheticShapesFormat.Coco));
        var result = SyntheticShapes.Generate(yolo.Path, Options(SyntheticShapesFormat.Yolo));
        Assert.True(result.Generated);
        Assert.True(File.Exists(Path.Combine(yolo.Path, "data.yaml")));
        var yaml = YoloDataYaml.Read(SyntheticYoloLayout.DataYaml(yolo.Path));
        foreach (var split in new[] { "train", "val" })
        {
            var c = CocoDataset.Load(SyntheticShapes.AnnotationFile(coco.Path, split), SyntheticShapes.ImageDirectory(coco.Path, split));
            var y = YoloDataset.Load(yaml, split);
            Assert.Equal(c.Count, y.Count);
            Assert.Equal(c.CategoryNames, y.CategoryNames);
            int objects = 0;
            for (int i = 0; i < c.Count; i++)
            {
                var (a, b) = (c.GetRecord(i), y.GetRecord(i));
                Assert.Equal(a.FileName, b.FileName);
                Assert.Equal(File.ReadAllBytes(a.FilePath), File.ReadAllBytes(b.FilePath));
                Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
                Assert.Equal(a.Labels, b.Labels);
                Assert.Equal(a.Boxes.Length, b.Boxes.Length);
                for (int k = 0; k < a.Boxes.Length; k++)
                    Assert.True(Math.Abs(a.Boxes[k] - b.Boxes[k]) < 1e-3, $"{split} {a.FileName}: box value {k}: {a.Boxes[k]} vs {b.Boxes[k]}");
                objects += b.Count;
            }
            Assert.Equal(split == "train" ? result.TrainObjects : result.ValObjects, objects);
        }
    }

    [Fact]
    public void AnExistingYoloSetIsReusedAndOtherSettingsRefused()
    {
        using var dir = new TempDir();
        Assert.True(SyntheticShapes.Generate(dir.Path, Options(SyntheticShapesFormat.Yolo)).Generated);
        var again = SyntheticShapes.Generate(dir.Path, Options(SyntheticShapesFormat.Yolo));
        Assert.False(again.Generated);
        Assert.True(again.TrainObjects > 0);
        var e = Assert.Throws<InvalidOperationException>(() => SyntheticShapes.Generate(dir.Path, Options(SyntheticShapesFormat.Yolo, train: 13)));
        Assert.Contains("other settings", e.Message);
        File.Delete(Path.Combine(dir.Path, "labels", "train", "000003.txt"));
        Assert.True(SyntheticShapes.Generate(dir.Path, Options(SyntheticShapesFormat.Yolo)).Generated); // incomplete: redone
    }
}
