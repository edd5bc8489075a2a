using System.CommandLine;
using System.Text.Json;
using DetrSharp.Evaluation;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// `detrsharp cocoeval GT.json RESULTS.json [--json FILE|-] [--no-cats] [--threads N]`: what a pycocotools
/// user does with a ground-truth file and a detection-results file (COCO, loadRes, COCOeval bbox,
/// evaluate, accumulate, summarize). Prints pycocotools' 12 summary lines. `--json FILE` also writes
/// {"AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl",
/// "per_category_AP": {"&lt;category id&gt;": AP}, "per_category_name": {"&lt;category id&gt;": name}} to FILE
/// (written to a temporary name, then renamed); `--json -` prints that JSON on stdout instead and moves
/// the summary lines to stderr.
/// </summary>
public static class CocoEvalCommand
{
    public static Command Create()
    {
        var gtArg = new Argument<string>("gt") { Description = "COCO instances JSON (images, annotations, categories)" };
        var resArg = new Argument<string>("results") { Description = "COCO detection results JSON: [{image_id, category_id, bbox, score}, ...]" };
        var json = new Option<string?>("--json")
        {
            Description = "Also write the 12 stats and per-category AP as JSON to this file; '-' prints the JSON on stdout (summary lines go to stderr)",
        };
        var noCats = new Option<bool>("--no-cats") { Description = "Category-agnostic matching (pycocotools params.useCats = 0)" };
        var threads = new Option<int>("--threads") { Description = "Worker threads for matching (0 = core count)" };
        var cmd = new Command("cocoeval", HelpText.WithExamples("COCO bbox evaluation with pycocotools' numbers: prints the 12-line summary",
            "detrsharp cocoeval instances_val2017.json detections.coco.json", "detrsharp cocoeval GT.json RESULTS.json --json stats.json"))
        {
            gtArg, resArg, json, noCats, threads,
        };
        cmd.SetAction(parse =>
        {
            var gt = CocoGroundTruth.Load(parse.GetValue(gtArg)!);
            var dt = CocoDetections.Load(parse.GetValue(resArg)!, gt);
            var ev = new CocoEvaluator(gt, dt, new CocoEvalParams { UseCats = !parse.GetValue(noCats) });
            int width = parse.GetValue(threads);
            if (width < 0) throw new ArgumentException($"--threads must be >= 0, got {width}");
            if (width > 0) ev.MaxDegreeOfParallelism = width;
            ev.Evaluate();
            ev.Accumulate();
            var stats = ev.Summarize();

            string? jsonPath = parse.GetValue(json);
            var summaryOut = jsonPath == "-" ? Console.Error : Console.Out;
            foreach (var line in stats.Lines) summaryOut.WriteLine(line);
            if (jsonPath != null)
            {
                string text = stats.ToJson(gt.CategoryName).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
                if (jsonPath == "-") Console.Out.WriteLine(text);
                else WriteAtomically(jsonPath, text + "\n");
            }
            return 0;
        });
        return cmd;
    }

    static void WriteAtomically(string path, string text)
    {
        try { DetrSharp.Torch.IO.AtomicFile.WriteAllText(path, text); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write the JSON report {path}: {e.Message}", e);
        }
    }
}
