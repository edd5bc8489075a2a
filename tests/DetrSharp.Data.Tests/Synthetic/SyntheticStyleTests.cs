using System.Text.Json.Nodes;
using DetrSharp.Data.Coco;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Tests.Support;

namespace DetrSharp.Data.Tests.Synthetic;

/// <summary>The pastel look (another palette and background family) and the COCO-like label space (--classes N).</summary>
public class SyntheticStyleTests
{
    static SyntheticShapesOptions Small(SyntheticStyle style = SyntheticStyle.Standard, int classes = 5, bool force = false) => new()
    {
        TrainImages = 24, ValImages = 6, ImageSize = 64, Seed = 9, Style = style, Classes = classes, Force = force,
    };

    // mean grey level of the background pixels and of the shape pixels over a few scenes
    static (double Background, double Shapes) MeanLevels(SyntheticStyle style)
    {
        double bg = 0, fg = 0;
        long nb = 0, nf = 0;
        for (int i = 0; i < 20; i++)
        {
            var scene = SyntheticShapes.RenderScene(96, SyntheticShapes.ImageSeed(3, "train", i), style: style);
            for (int p = 0; p < scene.ObjectMap.Length; p++)
            {
                double v = (scene.Image.Pixels[p * 3] + scene.Image.Pixels[p * 3 + 1] + scene.Image.Pixels[p * 3 + 2]) / 3.0;
                if (scene.ObjectMap[p] < 0) { bg += v; nb++; } else { fg += v; nf++; }
            }
        }
        return (bg / nb, fg / nf);
    }

    [Fact]
    public void PastelDrawsLightShapesOnDarkBackgroundsUnlikeTheStandardLook()
    {
        var pastel = MeanLevels(SyntheticStyle.Pastel);
        var standard = MeanLevels(SyntheticStyle.Standard);
        Assert.True(pastel.Background < 80, $"pastel backgrounds have mean grey {pastel.Background:F0}");
        Assert.True(pastel.Shapes > 170, $"pastel shapes have mean grey {pastel.Shapes:F0}");
        Assert.True(standard.Background > 90, $"standard backgrounds have mean grey {standard.Background:F0}");
        // the same seeds, the same geometry rules: a scene still holds 1..6 objects of the five shapes
        var scene = SyntheticShapes.RenderScene(96, SyntheticShapes.ImageSeed(3, "train", 0), style: SyntheticStyle.Pastel);
        Assert.InRange(scene.Objects.Count, 1, 6);
    }

    [Fact]
    public void NinetyOneClassesListIdsOneTo91WithTheShapesSpreadAndOnlyThoseUsed()
    {
        Assert.Equal([1, 2, 3, 4, 5], SyntheticShapes.CategoryIds(5));
        Assert.Equal([1, 19, 37, 55, 73], SyntheticShapes.CategoryIds(91));
        using var dir = new TempDir();
        SyntheticShapes.Generate(dir.Path, Small(SyntheticStyle.Pastel, classes: 91));
        var train = CocoDataset.Load(SyntheticShapes.AnnotationFile(dir.Path, "train"), SyntheticShapes.ImageDirectory(dir.Path, "train"));
        Assert.Equal(91, train.CategoryNames.Count);
        Assert.Equal("circle", train.CategoryNames[0]);
        Assert.Equal("square", train.CategoryNames[18]);
        Assert.Equal("unused2", train.CategoryNames[1]);
        var used = Enumerable.Range(0, train.Count).SelectMany(i => train.GetRecord(i).CategoryIds).ToHashSet();
        Assert.Subset(new HashSet<int> { 1, 19, 37, 55, 73 }, used);
        Assert.True(used.Count >= 4, $"only ids {string.Join(", ", used)} used in 24 images");
        // the YOLO layout of the same set names all 91 classes
        using var yolo = new TempDir();
        SyntheticShapes.Generate(yolo.Path, new SyntheticShapesOptions
        {
            TrainImages = 4, ValImages = 2, ImageSize = 64, Seed = 9, Classes = 91, Format = SyntheticShapesFormat.Yolo,
        });
        Assert.Contains("nc: 91", File.ReadAllText(SyntheticYoloLayout.DataYaml(yolo.Path)));
    }

    [Fact]
    public void TheFolderRecordsANonDefaultStyleAndClassCountAndTellsItFromTheDefault()
    {
        using var dir = new TempDir();
        SyntheticShapes.Generate(dir.Path, Small());
        var info = JsonNode.Parse(File.ReadAllText(SyntheticShapes.AnnotationFile(dir.Path, "train")))!["info"]!.AsObject();
        // the default set's info is what it was before these options, so folders written earlier are still recognised
        Assert.False(info.ContainsKey("style"));
        Assert.False(info.ContainsKey("classes"));
        Assert.False(SyntheticShapes.Generate(dir.Path, Small()).Generated);
        var e = Assert.Throws<InvalidOperationException>(() => SyntheticShapes.Generate(dir.Path, Small(SyntheticStyle.Pastel, classes: 91)));
        Assert.Contains("style missing (asked \"pastel\")", e.Message);
        Assert.Contains("classes missing (asked 91)", e.Message);
        Assert.True(SyntheticShapes.Generate(dir.Path, Small(SyntheticStyle.Pastel, classes: 91, force: true)).Generated);
        info = JsonNode.Parse(File.ReadAllText(SyntheticShapes.AnnotationFile(dir.Path, "train")))!["info"]!.AsObject();
        Assert.Equal("pastel", (string?)info["style"]);
        Assert.Equal(91, (int?)info["classes"]);
        Assert.False(SyntheticShapes.Generate(dir.Path, Small(SyntheticStyle.Pastel, classes: 91)).Generated);
    }

    [Fact]
    public void BadStyleOrClassCountIsRefusedInItsOwnWords()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticShapes.Generate(dir.Path, Small(classes: 4)));
        Assert.Contains("--classes 4 is not in 5..1000", e.Message);
        var s = Assert.Throws<ArgumentException>(() => SyntheticShapes.ParseStyle("neon"));
        Assert.Contains("'neon' is not a synthetic style (one of: standard, pastel)", s.Message);
        Assert.Equal(SyntheticStyle.Pastel, SyntheticShapes.ParseStyle("Pastel"));
    }
}
