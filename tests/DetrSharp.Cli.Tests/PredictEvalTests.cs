using System.Text.Json.Nodes;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>`predict` and `eval` on many inputs: bad ones reported, outputs kept apart, COCO results that cocoeval reads.</summary>
[Collection(TinyRunCollection.Name)]
public class PredictEvalTests(TinyRun tiny)
{
    string[] ValImages => Directory.EnumerateFiles(tiny.ValImages, "*.png").Order().ToArray();

    [Fact]
    public void OneUnreadableImageIsReportedAndTheRestAreProcessed()
    {
        var dir = tiny.NewDir("predict-bad");
        var broken = Path.Combine(dir, "broken.jpg");
        File.WriteAllBytes(broken, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        var outDir = Path.Combine(dir, "out");
        var r = CliRun.Run("predict", ValImages[0], broken, ValImages[1], "--checkpoint", tiny.Checkpoint, "--out", outDir);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("broken.jpg", r.Err);
        Assert.Contains("1 of 3 images", r.Err);
        Assert.Equal(2, Directory.EnumerateFiles(outDir, "*.pred.png").Count());
    }

    [Fact]
    public void InputsWithTheSameFileNameDoNotOverwriteEachOther()
    {
        var dir = tiny.NewDir("predict-same");
        Directory.CreateDirectory(Path.Combine(dir, "a"));
        Directory.CreateDirectory(Path.Combine(dir, "b"));
        File.Copy(ValImages[0], Path.Combine(dir, "a", "x.png"));
        File.Copy(ValImages[1], Path.Combine(dir, "b", "x.png"));
        var outDir = Path.Combine(dir, "out");
        var r = CliRun.Run("predict", Path.Combine(dir, "a", "x.png"), Path.Combine(dir, "b", "x.png"), "--checkpoint", tiny.Checkpoint, "--out", outDir);
        Assert.True(r.ExitCode == 0, r.ToString());
        var jsons = Directory.EnumerateFiles(outDir, "*.pred.json").Order().ToList();
        Assert.Equal(2, jsons.Count);
        var sources = jsons.Select(j => (string)JsonNode.Parse(File.ReadAllText(j))!["image"]!).Order().ToList();
        Assert.Equal([Path.Combine(dir, "a", "x.png"), Path.Combine(dir, "b", "x.png")], sources);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    public void TheThresholdIsAScoreInZeroToOne(string value)
    {
        var r = CliRun.Run("predict", ValImages[0], "--checkpoint", tiny.Checkpoint, "--threshold", value, "--out", tiny.NewDir("thr"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--threshold must be a score in [0, 1]", r.Err);
    }

    [Fact]
    public void CocoFormatWritesResultsThatCocoevalReads()
    {
        var outDir = tiny.NewDir("predict-coco");
        var r = CliRun.Run("predict", tiny.ValImages, "--checkpoint", tiny.Checkpoint, "--out", outDir, "--threshold", "0",
            "--format", "coco", "--annotations", tiny.ValAnnotations);
        Assert.True(r.ExitCode == 0, r.ToString());
        var results = Path.Combine(outDir, "detections.coco.json");
        var list = JsonNode.Parse(File.ReadAllText(results))!.AsArray();
        Assert.NotEmpty(list);
        var gt = JsonNode.Parse(File.ReadAllText(tiny.ValAnnotations))!;
        var images = gt["images"]!.AsArray().ToDictionary(i => (long)i!["id"]!, i => ((int)i!["width"]!, (int)i!["height"]!));
        var categories = gt["categories"]!.AsArray().Select(c => (long)c!["id"]!).ToHashSet();
        foreach (var d in list)
        {
            var (w, h) = images[(long)d!["image_id"]!];
            Assert.Contains((long)d["category_id"]!, categories);
            var b = d["bbox"]!.AsArray().Select(v => (double)v!).ToArray();
            Assert.True(b[0] >= 0 && b[1] >= 0 && b[2] >= 0 && b[3] >= 0 && b[0] + b[2] <= w + 0.01 && b[1] + b[3] <= h + 0.01, d.ToJsonString());
        }
        var ev = CliRun.Run("cocoeval", tiny.ValAnnotations, results);
        Assert.True(ev.ExitCode == 0, ev.ToString());
        Assert.Contains("Average Precision", ev.Out);
    }

    [Fact]
    public void EvalReportsAnUnreadableImageAndEvaluatesTheRest()
    {
        var data = tiny.NewDir("val-bad");
        Directory.CreateDirectory(Path.Combine(data, "annotations"));
        File.Copy(tiny.ValAnnotations, Path.Combine(data, "annotations", "instances_val.json"));
        Directory.CreateDirectory(Path.Combine(data, "val"));
        foreach (var f in ValImages) File.Copy(f, Path.Combine(data, "val", Path.GetFileName(f)));
        var bad = Path.Combine(data, "val", Path.GetFileName(ValImages[3]));
        File.WriteAllText(bad, "not a picture");
        var r = CliRun.Run("eval", "--checkpoint", tiny.Checkpoint, "--data", data);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(bad, r.Err);
        Assert.Contains("ground-truth boxes, counted as missed", r.Err);
        Assert.Contains("8 images, 1 skipped", r.Out);
        Assert.Contains("Average Precision", r.Out);
    }

    [Fact]
    public void EvalWorksWithOnlyTheValidationSplitAndSummarisesTheEvaluation()
    {
        var data = tiny.NewDir("val-only");
        Directory.CreateDirectory(Path.Combine(data, "annotations"));
        File.Copy(tiny.ValAnnotations, Path.Combine(data, "annotations", "instances_val.json"));
        Directory.CreateDirectory(Path.Combine(data, "val"));
        foreach (var f in ValImages) File.Copy(f, Path.Combine(data, "val", Path.GetFileName(f)));
        var r = CliRun.Run("eval", "--checkpoint", tiny.Checkpoint, "--data", data);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"evaluated {tiny.Checkpoint} (step 2)", r.Out);
        Assert.Contains("8 images", r.Out);
        Assert.DoesNotContain("run folder:", r.Out);
    }
}
