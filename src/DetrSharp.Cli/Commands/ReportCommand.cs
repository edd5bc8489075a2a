using System.CommandLine;
using DetrSharp.Reporting;

namespace DetrSharp.Cli.Commands;

/// <summary>`detrsharp report RUN_DIR`: writes RUN_DIR/report.html from the run folder's files.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run-dir") { Description = "Run folder written by `detrsharp train` (config.json, eval.json, the pictures)" };
        var cmd = new Command("report", HelpText.WithExamples(
            "Write RUN_DIR/report.html: config, final COCO stats, AP per class and the run's pictures, one static page",
            "detrsharp report runs/yolov10-shapes",
            "detrsharp report runs/mine && xdg-open runs/mine/report.html")) { run };
        cmd.SetAction(parse =>
        {
            var path = ReportPage.Write(parse.GetValue(run)!);
            var missing = RunPictureNames.All.Where(n => !File.Exists(Path.Combine(Path.GetDirectoryName(path)!, n))).ToList();
            Console.WriteLine($"report: {path}");
            if (missing.Count > 0) Console.WriteLine($"not in the run folder yet: {string.Join(", ", missing)}");
            return 0;
        });
        return cmd;
    }
}
