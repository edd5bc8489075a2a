using DetrSharp.Data.Imaging;
using DetrSharp.Data.Synthetic;
using DetrSharp.Reporting;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// Every picture of the run folder comes out of the default run: `detrsharp train` with the default model, data
/// pipeline, batch and evaluation, on a synthetic set of the default look and image size, cut to 2 steps and 16 + 16
/// images so that it takes seconds. (<see cref="RunPicturesTests"/> checks the tiny model's run the same way.)
/// </summary>
public sealed class DefaultRunPicturesTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "detrsharp-default-pictures-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void TheDefaultRunWritesEveryPictureDecodableOfItsSizeAndNotBlank()
    {
        var data = Path.Combine(_root, "data");
        SyntheticShapes.Generate(data, new SyntheticShapesOptions { TrainImages = 16, ValImages = 16, Seed = 3 });
        var run = Path.Combine(_root, "run");
        var r = CliRun.Run("train", "--data", data, "--out", run, "--max-steps", "2", "--time-limit", "0");   // the default family (YOLOv10)
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("could not draw", r.Out + r.Err);

        RunPicturesTests.AssertPicture(Path.Combine(run, RunPictureNames.Results), 1600, 0);
        RunPicturesTests.AssertPicture(Path.Combine(run, RunPictureNames.PrCurve), 900, 540);
        RunPicturesTests.AssertPicture(Path.Combine(run, RunPictureNames.F1Curve), 900, 540);
        RunPicturesTests.AssertPicture(Path.Combine(run, RunPictureNames.ConfusionMatrix), 760, 640);
        RunPicturesTests.AssertPicture(Path.Combine(run, RunPictureNames.Labels), 1040, 440);
        // the default batch in 4 columns; a cell is the padded batch's longer side (at least 160, at most 320 pixels)
        int batch = (int)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, "config.json")))!["data"]!["batch_size"]!;
        var train = ImageCodec.Decode(Path.Combine(run, RunPictureNames.TrainBatch));
        int cell = train.Width / 4;
        Assert.InRange(cell, 160, 320);
        RunPicturesTests.AssertPicture(Path.Combine(run, RunPictureNames.TrainBatch), 4 * cell, (batch + 3) / 4 * cell);
        // the first validation batch (the 16 images, or fewer in a smaller batch) of 128 pixels, labels beside
        // predictions: two cells of 160 pixels an image, in 4 columns
        int shown = Math.Min(16, batch);
        RunPicturesTests.AssertPicture(Path.Combine(run, RunPictureNames.ValBatchPred), 4 * 160, (2 * shown + 3) / 4 * 160);
        Assert.True(File.Exists(Path.Combine(run, RunPictureNames.Report)), "the run wrote no report.html");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
