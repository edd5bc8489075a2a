using DetrSharp.Data.Coco;
using DetrSharp.Data.Synthetic;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>`synth --style pastel --classes 91`: the set that pre-trains 91-class weights, and its refusals.</summary>
[Collection(TinyRunCollection.Name)]
public class SynthStyleCommandTests(TinyRun tiny)
{
    [Fact]
    public void PastelWith91ClassesWritesTheShapesAtSpreadIdsAndSaysSo()
    {
        var dir = tiny.NewDir("pastel91");
        var r = CliRun.Run("synth", "--out", dir, "--style", "pastel", "--classes", "91", "--train", "4", "--val", "2", "--size", "64");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("classes: circle (id 1), square (id 19), triangle (id 37), diamond (id 55), cross (id 73) of 91 categories (the others unused)", r.Out);
        var train = CocoDataset.Load(SyntheticShapes.AnnotationFile(dir, "train"), SyntheticShapes.ImageDirectory(dir, "train"));
        Assert.Equal(91, train.CategoryNames.Count);
        // the standard look with the same seed draws other pixels
        var standard = tiny.NewDir("standard");
        Assert.Equal(0, CliRun.Run("synth", "--out", standard, "--train", "4", "--val", "2", "--size", "64").ExitCode);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(SyntheticShapes.ImageDirectory(dir, "train"), "000001.png")),
                        File.ReadAllBytes(Path.Combine(SyntheticShapes.ImageDirectory(standard, "train"), "000001.png")));
    }

    [Fact]
    public void AnUnknownStyleOrTooFewClassesIsRefused()
    {
        var r = CliRun.Run("synth", "--out", tiny.NewDir("bad"), "--classes", "3");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("detrsharp: error: --classes 3 is not in 5..1000", r.Err);
        r = CliRun.Run("synth", "--out", tiny.NewDir("bad"), "--style", "neon");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("'neon'", r.Err);
        Assert.Contains("pastel", r.Err);
    }
}
