using DetrSharp.Data.Coco;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Tests.Support;

namespace DetrSharp.Data.Tests.Synthetic;

public class SyntheticShapesTests
{
    static SyntheticShapesOptions Small(long seed = 5, int parallelism = 0) => new()
    {
        TrainImages = 40, ValImages = 8, ImageSize = 64, Seed = seed, MaxDegreeOfParallelism = parallelism,
    };

    static Dictionary<string, byte[]> Files(string root) => Directory.GetFiles(root, "*", SearchOption.AllDirectories)
        .ToDictionary(p => Path.GetRelativePath(root, p), File.ReadAllBytes);

    [Fact]
    public void SameSeedGivesTheSameBytesWhateverTheParallelism()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        SyntheticShapes.Generate(a.Path, Small(parallelism: 1));
        SyntheticShapes.Generate(b.Path, Small(parallelism: 4));
        var fa = Files(a.Path);
        var fb = Files(b.Path);
        Assert.Equal(fa.Keys.Order(), fb.Keys.Order());
        Assert.Equal(40 + 8 + 2, fa.Count); // no temporary files left
        foreach (var (name, bytes) in fa) Assert.True(bytes.AsSpan().SequenceEqual(fb[name]), $"{name} differs");
    }

    [Fact]
    public void DifferentSeedsGiveDifferentImages()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        SyntheticShapes.Generate(a.Path, Small(seed: 1));
        SyntheticShapes.Generate(b.Path, Small(seed: 2));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a.Path, "train", "000001.png")), File.ReadAllBytes(Path.Combine(b.Path, "train", "000001.png")));
    }

    [Fact]
    public void ValSplitDoesNotDependOnTheTrainCount()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        SyntheticShapes.Generate(a.Path, Small());
        SyntheticShapes.Generate(b.Path, new SyntheticShapesOptions { TrainImages = 3, ValImages = 8, ImageSize = 64, Seed = 5 });
        Assert.Equal(File.ReadAllBytes(Path.Combine(a.Path, "val", "000008.png")), File.ReadAllBytes(Path.Combine(b.Path, "val", "000008.png")));
    }

    [Fact]
    public void TheFolderIsAValidCocoDatasetWithEveryClass()
    {
        using var dir = new TempDir();
        var result = SyntheticShapes.Generate(dir.Path, new SyntheticShapesOptions { TrainImages = 60, ValImages = 10, ImageSize = 96, Seed = 11 });
        Assert.True(result.Generated);
        foreach (var split in new[] { "train", "val" })
        {
            // Load validates: known ids, boxes inside images, files present
            var ds = CocoDataset.Load(SyntheticShapes.AnnotationFile(dir.Path, split), SyntheticShapes.ImageDirectory(dir.Path, split));
            Assert.Equal(split == "train" ? 60 : 10, ds.Count);
            Assert.Equal(["circle", "square", "triangle", "diamond", "cross"], ds.CategoryNames);
            Assert.Equal([1, 2, 3, 4, 5], ds.Categories.Ids);
            int objects = 0;
            var seen = new HashSet<int>();
            for (int i = 0; i < ds.Count; i++)
            {
                var r = ds.GetRecord(i);
                Assert.InRange(r.Count, 1, 6);
                objects += r.Count;
                for (int k = 0; k < r.Count; k++)
                {
                    var box = r.Boxes.AsSpan(4 * k, 4);
                    Assert.True(box[0] >= 0 && box[1] >= 0 && box[2] <= 96 && box[3] <= 96 && box[2] > box[0] && box[3] > box[1]);
                    Assert.InRange(r.Areas[k], 1, (box[2] - box[0]) * (box[3] - box[1]));
                    seen.Add(r.Labels[k]);
                }
                if (i < 3) Assert.Equal((96, 96), (ds.LoadImage(i).Width, ds.LoadImage(i).Height));
            }
            Assert.Equal(split == "train" ? result.TrainObjects : result.ValObjects, objects);
            if (split == "train") Assert.Equal(5, seen.Count);
        }
    }

    [Fact]
    public void BoxesAreTheTightBoxesOfTheVisiblePixels()
    {
        for (ulong seed = 0; seed < 30; seed++)
        {
            var scene = SyntheticShapes.RenderScene(80, seed);
            Assert.NotEmpty(scene.Objects);
            for (int k = 0; k < scene.Objects.Count; k++)
            {
                var o = scene.Objects[k];
                int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1, count = 0;
                for (int i = 0; i < scene.ObjectMap.Length; i++)
                {
                    if (scene.ObjectMap[i] != k) continue;
                    int x = i % 80, y = i / 80;
                    minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
                    count++;
                }
                Assert.Equal((minX, minY, maxX - minX + 1, maxY - minY + 1, count), (o.X, o.Y, o.Width, o.Height, o.VisiblePixels));
            }
        }
    }

    [Fact]
    public void SizesSpreadFromSmallToLargeAndShapesOverlap()
    {
        var sides = new List<int>();
        int occluded = 0;
        for (ulong seed = 0; seed < 200; seed++)
        {
            var scene = SyntheticShapes.RenderScene(128, seed);
            sides.AddRange(scene.Objects.Select(o => Math.Max(o.Width, o.Height)));
            occluded += scene.Objects.Count(o => o.VisiblePixels < 0.9 * o.Width * o.Height && o.Kind == ShapeKind.Square);
        }
        Assert.True(sides.Min() <= 16, $"smallest {sides.Min()}");
        Assert.True(sides.Max() >= 64, $"largest {sides.Max()}");
        Assert.True(occluded > 0, "some squares should be partly hidden");
    }

    [Fact]
    public void RerunOnACompleteFolderIsANoOpUnlessForced()
    {
        using var dir = new TempDir();
        var first = SyntheticShapes.Generate(dir.Path, Small());
        var image = Path.Combine(dir.Path, "train", "000001.png");
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(image, stamp);
        var again = SyntheticShapes.Generate(dir.Path, Small());
        Assert.False(again.Generated);
        Assert.Equal(first with { Generated = false }, again);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(image));
        var forced = SyntheticShapes.Generate(dir.Path, new SyntheticShapesOptions { TrainImages = 40, ValImages = 8, ImageSize = 64, Seed = 5, Force = true });
        Assert.True(forced.Generated);
        Assert.NotEqual(stamp, File.GetLastWriteTimeUtc(image));
    }

    [Fact]
    public void AnIncompleteFolderIsRegenerated()
    {
        using var dir = new TempDir();
        SyntheticShapes.Generate(dir.Path, Small());
        var image = Path.Combine(dir.Path, "val", "000003.png");
        var bytes = File.ReadAllBytes(image);
        File.Delete(image);
        Assert.True(SyntheticShapes.Generate(dir.Path, Small()).Generated);
        Assert.Equal(bytes, File.ReadAllBytes(image));
    }

    [Fact]
    public void OtherSettingsOrForeignAnnotationsNeedForce()
    {
        using var dir = new TempDir();
        SyntheticShapes.Generate(dir.Path, Small());
        var e = Assert.Throws<InvalidOperationException>(() => SyntheticShapes.Generate(dir.Path, Small(seed: 6)));
        Assert.Contains("seed 5 (asked 6)", e.Message);
        Assert.Contains("--force", e.Message);

        using var foreign = new TempDir();
        Directory.CreateDirectory(Path.Combine(foreign.Path, "annotations"));
        File.WriteAllText(SyntheticShapes.AnnotationFile(foreign.Path, "train"), """{"images":[],"annotations":[],"categories":[]}""");
        var f = Assert.Throws<InvalidOperationException>(() => SyntheticShapes.Generate(foreign.Path, Small()));
        Assert.Contains("not written by the synthetic generator", f.Message);
    }

    [Fact]
    public void BadOptionsAreRejectedByName()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticShapes.Generate(dir.Path, new SyntheticShapesOptions { ImageSize = 8 }));
        Assert.Contains("image size 8", e.Message);
        Assert.Throws<ArgumentException>(() => SyntheticShapes.AnnotationFile(dir.Path, "test"));
    }
}
