using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>`synth --format yolo` writes the YOLO layout, and `train`/`eval` take it as --data.</summary>
[Collection(TinyRunCollection.Name)]
public class YoloDataCommandTests(TinyRun tiny)
{
    [Fact]
    public void SynthWritesTheYoloLayoutThatTrainAndEvalRead()
    {
        var data = tiny.NewDir("yolo-data");
        var s = CliRun.Run("synth", "--out", data, "--format", "yolo", "--train", "16", "--val", "8", "--size", "96", "--seed", "7");
        Assert.True(s.ExitCode == 0, s.ToString());
        Assert.Contains("data.yaml", s.Out);
        Assert.True(File.Exists(Path.Combine(data, "data.yaml")));
        Assert.Equal(16, Directory.EnumerateFiles(Path.Combine(data, "images", "train"), "*.png").Count());
        Assert.Equal(8, Directory.EnumerateFiles(Path.Combine(data, "labels", "val"), "*.txt").Count());
        Assert.False(Directory.Exists(Path.Combine(data, "annotations")));

        var run = Path.Combine(tiny.NewDir("yolo-run"), "run");
        var args = tiny.TrainArgs(run, 2).Select(a => a == tiny.Data ? Path.Combine(data, "data.yaml") : a).ToArray();
        var t = CliRun.Run(args);
        Assert.True(t.ExitCode == 0, t.ToString());
        Assert.Contains("16 train / 8 val images, 5 classes", t.Out + t.Err);

        var e = CliRun.Run("eval", "--checkpoint", Path.Combine(run, "checkpoint.pth"), "--data", data);
        Assert.True(e.ExitCode == 0, e.ToString());
        Assert.Contains($"on {Path.Combine(data, "data.yaml")}", e.Out);

        var bad = CliRun.Run("synth", "--out", tiny.NewDir("yolo-bad"), "--format", "voc");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("voc", bad.Err);
    }

    [Fact]
    public void ADataPathOfNeitherLayoutIsAnErrorNamingWhatWasLookedFor()
    {
        var empty = tiny.NewDir("neither");
        var r = CliRun.Run(tiny.TrainArgs(Path.Combine(empty, "run"), 1).Select(a => a == tiny.Data ? empty : a).ToArray());
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"data.path '{empty}' is neither dataset layout", r.Err);
        Assert.Contains("data.yaml", r.Err);
    }
}
