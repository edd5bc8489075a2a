using System.Text.RegularExpressions;
using DetrSharp.Data.Imaging;
using DetrSharp.Reporting;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// The pictures a training run leaves in its folder (each a PNG of its size that is not blank), the report page
/// that shows them, and the examples in every command's --help.
/// </summary>
[Collection(TinyRunCollection.Name)]
public class RunPicturesTests(TinyRun tiny)
{
    // the tiny run: batches of 4, 8 validation images of 96 pixels, 5 classes
    public static TheoryData<string, int, int> Pictures => new()
    {
        { RunPictureNames.Results, 1600, 0 },          // 5 plots a row, 240 pixels a row
        { RunPictureNames.PrCurve, 900, 540 },
        { RunPictureNames.F1Curve, 900, 540 },
        { RunPictureNames.ConfusionMatrix, 760, 640 },
        { RunPictureNames.Labels, 1040, 440 },
        { RunPictureNames.TrainBatch, 4 * 160, 160 },  // one batch of 4 in cells of 160 pixels
        { RunPictureNames.ValBatchPred, 4 * 160, 2 * 160 }, // 4 images, labels beside predictions
    };

    [Theory]
    [MemberData(nameof(Pictures))]
    public void EveryPictureIsAPngOfItsSizeAndNotBlank(string name, int width, int height)
    {
        Assert.DoesNotContain("could not draw", tiny.Trained.Out + tiny.Trained.Err);
        AssertPicture(Path.Combine(tiny.Run, name), width, height);
    }

    /// <summary>The file is there, decodes as a PNG of <paramref name="width"/> × <paramref name="height"/> (0: a multiple of 240, at least 480) and is not blank.</summary>
    internal static void AssertPicture(string path, int width, int height)
    {
        var name = Path.GetFileName(path);
        Assert.True(File.Exists(path), $"{name} is missing from the run folder");
        Assert.Equal(ImageFormat.Png, ImageFormatDetector.Detect(File.ReadAllBytes(path)));
        var image = ImageCodec.Decode(path);
        Assert.Equal(width, image.Width);
        if (height > 0) Assert.Equal(height, image.Height);
        else Assert.True(image.Height % 240 == 0 && image.Height >= 480, $"{name} is {image.Height} pixels high");
        // not blank: the grey levels vary
        double sum = 0, sq = 0;
        int n = image.Width * image.Height;
        for (int i = 0; i < n; i++)
        {
            double v = (image.Pixels[i * 3] + image.Pixels[i * 3 + 1] + image.Pixels[i * 3 + 2]) / 3.0;
            sum += v;
            sq += v * v;
        }
        double variance = sq / n - (sum / n) * (sum / n);
        Assert.True(variance > 100, $"{name} looks blank (grey-level variance {variance:F1})");
    }

    [Fact]
    public void TheReportShowsTheTablesAndReferencesEveryPicture()
    {
        Assert.Contains($"report: {Path.Combine(tiny.Run, RunPictureNames.Report)}", tiny.Trained.Out);
        var r = CliRun.Run("report", tiny.Run);
        Assert.True(r.ExitCode == 0, r.ToString());
        var html = File.ReadAllText(Path.Combine(tiny.Run, RunPictureNames.Report));
        Assert.Contains("<table id=\"stats\">", html);
        foreach (var key in new[] { "AP", "AP50", "AP75", "ARl" }) Assert.Contains($"<th>{key}</th>", html);
        Assert.Contains("<table id=\"per-class\">", html);
        foreach (var cls in new[] { "circle", "square", "triangle", "diamond", "cross" }) Assert.Contains($"<td class=\"name\">{cls}</td>", html);
        Assert.Contains("num_queries&quot;: 8", html); // the config, HTML-escaped
        var sources = Regex.Matches(html, "src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(RunPictureNames.All.Order(), sources.Order());
        Assert.All(sources, s => Assert.True(File.Exists(Path.Combine(tiny.Run, s)), $"the report references {s}, which is not there"));
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
    }

    [Fact]
    public void ReportOfAFolderThatIsNotARunSaysSo()
    {
        var dir = tiny.NewDir("not-a-run");
        var r = CliRun.Run("report", dir);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("is not a run folder: it has no config.json", r.Err);
        r = CliRun.Run("report", Path.Combine(dir, "missing"));
        Assert.Contains("run folder not found", r.Err);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("eval")]
    [InlineData("predict")]
    [InlineData("report")]
    [InlineData("synth")]
    [InlineData("cocoeval")]
    [InlineData("inspect")]
    [InlineData("bench")]
    public void EveryCommandsHelpHasAnExample(string command)
    {
        var r = CliRun.Run(command, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Examples:", r.Out);
        Assert.Contains($"  detrsharp {command} ", r.Out);
    }
}
