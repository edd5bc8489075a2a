using DetrSharp.Data.Imaging;
using DetrSharp.Reporting;
using Xunit;
using Xunit.Abstractions;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// The tiny run's report.html renders in headless Chromium (installed with apt by the test where it is missing;
/// skipped with the reason where that cannot be done): a screenshot of the window's size that is not blank and shows
/// the pictures (coloured pixels: the page's own text and tables are grey), and no request of the page reaches the
/// network. A control page with two remote resources shows that such requests are seen.
/// </summary>
[Collection(TinyRunCollection.Name)]
public class ReportBrowserTests(TinyRun tiny, ITestOutputHelper output)
{
    const int Width = 1280, Height = 4800; // tall enough for every picture of the tiny run

    [SkippableFact]
    public void TheReportRendersInHeadlessChromiumWithoutTheNetwork()
    {
        Skip.If(HeadlessChromium.Path == null, HeadlessChromium.Unavailable);
        var r = CliRun.Run("report", tiny.Run);
        Assert.True(r.ExitCode == 0, r.ToString());
        var outDir = tiny.NewDir("browser");

        var page = HeadlessChromium.Render(Path.Combine(tiny.Run, RunPictureNames.Report), outDir, Width, Height);
        Assert.True(page.NetworkRequests.Count == 0, "the report asked the network for: " + string.Join(", ", page.NetworkRequests));
        var png = File.ReadAllBytes(page.Screenshot);
        Assert.Equal(ImageFormat.Png, ImageFormatDetector.Detect(png));
        var image = ImageCodec.Decode(page.Screenshot);
        Assert.Equal((Width, Height), (image.Width, image.Height));
        double variance = GreyVariance(image);
        Assert.True(variance > 100, $"the screenshot looks blank (grey-level variance {variance:F1})");

        // the same page without its pictures: the pictures account for much of what was drawn
        var bare = Directory.CreateDirectory(Path.Combine(outDir, "without-pictures")).FullName;
        File.Copy(Path.Combine(tiny.Run, RunPictureNames.Report), Path.Combine(bare, RunPictureNames.Report));
        var withoutPictures = ImageCodec.Decode(HeadlessChromium.Render(Path.Combine(bare, RunPictureNames.Report), bare, Width, Height).Screenshot);
        double differing = Differing(image, withoutPictures);
        output.WriteLine($"screenshot {page.Screenshot}: grey-level variance {variance:F0}; {differing:P1} of its pixels differ without the pictures");
        Assert.True(differing > 0.05, $"the pictures do not show: only {differing:P2} of the pixels differ from the page without them");

        // the check sees a page's remote requests: a page with a remote image and style sheet
        var control = Path.Combine(outDir, "control.html");
        File.WriteAllText(control, "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"https://127.0.0.1:9/a.css\"></head>" +
                                   "<body><img src=\"http://detrsharp.invalid/x.png\"></body></html>");
        var remote = HeadlessChromium.Render(control, outDir, 400, 300).NetworkRequests;
        Assert.Contains("http://detrsharp.invalid/x.png", remote);
        Assert.Contains("https://127.0.0.1:9/a.css", remote);
    }

    static double GreyVariance(RgbImage image)
    {
        double sum = 0, sq = 0;
        int n = image.Width * image.Height;
        for (int i = 0; i < n; i++)
        {
            double v = (image.Pixels[i * 3] + image.Pixels[i * 3 + 1] + image.Pixels[i * 3 + 2]) / 3.0;
            sum += v;
            sq += v * v;
        }
        return sq / n - (sum / n) * (sum / n);
    }

    // the share of pixels whose channels differ by more than 30 in all (the images are the same size)
    static double Differing(RgbImage a, RgbImage b)
    {
        long count = 0;
        int n = a.Width * a.Height;
        for (int i = 0; i < n; i++)
        {
            int d = Math.Abs(a.Pixels[i * 3] - b.Pixels[i * 3]) + Math.Abs(a.Pixels[i * 3 + 1] - b.Pixels[i * 3 + 1]) + Math.Abs(a.Pixels[i * 3 + 2] - b.Pixels[i * 3 + 2]);
            if (d > 30) count++;
        }
        return (double)count / n;
    }
}
