using DetrSharp.Data.Coco;
using DetrSharp.Data.Yolo;

namespace DetrSharp.Data.Tests.Yolo;

public class YoloDataYamlTests
{
    static YoloDataYaml Parse(string text, string file = "/data/set/data.yaml") => YoloDataYaml.Parse(text, file);

    static DatasetException Fails(string text, params string[] parts)
    {
        var e = Assert.Throws<DatasetException>(() => Parse(text));
        Assert.Contains("/data/set/data.yaml", e.Message);
        foreach (var p in parts) Assert.Contains(p, e.Message);
        return e;
    }

    [Fact]
    public void NamesAsAList()
    {
        var y = Parse("path: /data/set\ntrain: images/train\nval: images/val\nnames: [cat, dog]\n");
        Assert.Equal(["cat", "dog"], y.Names);
        Assert.Equal("/data/set", y.Root);
        Assert.Equal(["/data/set/images/train"], y.SourcesOf("train"));
        Assert.Equal(["/data/set/images/val"], y.SourcesOf("val"));
    }

    [Fact]
    public void NamesAsAnIndexMapInAnyOrderWithAMatchingNc()
    {
        var y = Parse("train: images/train\nval: images/val\nnc: 3\nnames:\n  2: bird\n  0: cat\n  1: dog\n");
        Assert.Equal(["cat", "dog", "bird"], y.Names);
    }

    [Fact]
    public void NcAloneNamesTheClassesAsUltralyticsDoes()
    {
        Assert.Equal(["class_0", "class_1", "class_2"], Parse("train: a\nval: b\nnc: 3\n").Names);
    }

    [Fact]
    public void NoPathMeansTheYamlFolderAndARelativePathIsTakenFromIt()
    {
        Assert.Equal("/data/set", Parse("train: t\nval: v\nnc: 1\n").Root);
        Assert.Equal("/data/set/sub", Parse("path: sub\ntrain: t\nval: v\nnc: 1\n").Root);
        Assert.Equal("/data/set/sub/images/t", Parse("path: sub\ntrain: images/t\nval: v\nnc: 1\n").SourcesOf("train")[0]);
    }

    [Fact]
    public void SplitsMayBeListsOfSourcesAndTestIsOptional()
    {
        var y = Parse("train: [images/a, lists/b.txt]\nval: images/v\nnc: 1\n");
        Assert.Equal(["/data/set/images/a", "/data/set/lists/b.txt"], y.SourcesOf("train"));
        Assert.False(y.Splits.ContainsKey("test"));
        var e = Assert.Throws<DatasetException>(() => y.SourcesOf("test"));
        Assert.Contains("no 'test' key", e.Message);
    }

    [Fact]
    public void ARoboflowParentPathThatDoesNotExistIsTriedInsideTheRoot()
    {
        using var dir = new Support.TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "train", "images"));
        var y = YoloDataYaml.Parse("train: ../train/images\nval: ../valid/images\nnc: 2\n", Path.Combine(dir.Path, "data.yaml"));
        Assert.Equal(Path.Combine(dir.Path, "train", "images"), y.SourcesOf("train")[0]);
        // neither exists: left as written (reported when the split is listed)
        Assert.Equal(Path.GetFullPath(Path.Combine(dir.Path, "..", "valid", "images")), y.SourcesOf("val")[0]);
    }

    [Fact]
    public void BadFilesAreReportedNamingFileKeyAndLine()
    {
        Fails("train: a\nval: b\n", "no 'names' and no 'nc'");
        Fails("train: a\nnames: [x, y]\nnc: 3\n", "'names' has 2 classes but 'nc' says 3");
        Fails("train: a\nnames:\n  0: x\n  2: z\n", "class 1 is missing");
        Fails("train: a\nnames:\n  zero: x\n", "'names' key 'zero' (line 3) is not a class index");
        Fails("train: a\nnc: many\n", "'nc' (line 2) must be a positive whole number");
        Fails("train: a\nnames: [x, '']\n", "'names' (line 2) gives class 1 no name");
        Fails("train: a\nnames: [x, [y]]\n", "'names' (line 2) must be a single value, not a list");
        Fails("train: a\nval: b: c\n", "malformed YAML at line 2");
        Fails("train: [a, b\nnc: 1\n", "malformed YAML");
        Fails("- just\n- a list\n", "not a YAML mapping");
    }
}
