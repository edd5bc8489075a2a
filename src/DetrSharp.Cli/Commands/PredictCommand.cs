using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using DetrSharp.Data.Drawing;
using DetrSharp.Data.Imaging;
using DetrSharp.Torch.IO;
using DetrSharp.Training;

namespace DetrSharp.Cli.Commands;

/// <summary>`detrsharp predict IMAGE|FOLDER ...`: draws boxes with class names and scores, writes PNG and JSON per image.</summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("images") { Description = "Image files (JPEG or PNG) or folders of them", Arity = ArgumentArity.OneOrMore };
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint written by `detrsharp train`", DefaultValueFactory = _ => Path.Combine(TrainCommand.DefaultRunDir, Checkpoint.FileName) };
        var output = new Option<string>("--out") { Description = "Folder for NAME.pred.png and NAME.pred.json", DefaultValueFactory = _ => "predictions" };
        var threshold = new Option<float>("--threshold") { Description = "Minimum score to keep a detection", DefaultValueFactory = _ => 0.5f };
        var ema = new Option<bool>("--ema") { Description = "Use the EMA weights" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default: the run's runtime.device)" };
        var cmd = new Command("predict", "Run a trained detector on images") { inputs, checkpoint, output, threshold, ema, device };
        cmd.SetAction(parse =>
        {
            var files = Expand(parse.GetValue(inputs)!);
            using var trained = TrainedDetector.Load(parse.GetValue(checkpoint)!, parse.GetValue(ema), EvalCommand.InferenceOverrides(null, parse.GetValue(device)));
            var outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            float min = parse.GetValue(threshold);
            foreach (var file in files)
            {
                var image = ImageCodec.Decode(file);
                var det = trained.Predict(image, min);
                var objects = new JsonArray();
                for (int i = 0; i < det.Scores.Length; i++)
                {
                    float x1 = det.BoxesXyxy[i * 4], y1 = det.BoxesXyxy[i * 4 + 1], x2 = det.BoxesXyxy[i * 4 + 2], y2 = det.BoxesXyxy[i * 4 + 3];
                    string name = trained.ClassNames[det.Labels[i]];
                    ImageDrawing.DrawLabeledBox(image, (int)MathF.Round(x1), (int)MathF.Round(y1), (int)MathF.Round(x2), (int)MathF.Round(y2),
                        $"{name} {det.Scores[i]:F2}", Rgb.ForClass(det.Labels[i]), thickness: Math.Max(1, Math.Min(image.Width, image.Height) / 200));
                    objects.Add(new JsonObject
                    {
                        ["label"] = name, ["score"] = Math.Round(det.Scores[i], 4),
                        ["box_xyxy"] = new JsonArray(Math.Round(x1, 2), Math.Round(y1, 2), Math.Round(x2, 2), Math.Round(y2, 2)),
                    });
                }
                var stem = Path.Combine(outDir, Path.GetFileNameWithoutExtension(file));
                ImageCodec.WritePng(stem + ".pred.png", image);
                var json = new JsonObject { ["image"] = file, ["width"] = image.Width, ["height"] = image.Height, ["detections"] = objects };
                AtomicFile.WriteAllText(stem + ".pred.json", json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
                Console.WriteLine($"{file}: {det.Scores.Length} objects -> {stem}.pred.png");
            }
            return 0;
        });
        return cmd;
    }

    static List<string> Expand(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (var p in inputs)
        {
            if (Directory.Exists(p))
                files.AddRange(Directory.EnumerateFiles(p).Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase)
                    || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase)).Order());
            else if (File.Exists(p)) files.Add(p);
            else throw new FileNotFoundException($"no such image or folder: {p}", p);
        }
        if (files.Count == 0) throw new ArgumentException("no JPEG or PNG images found in the given folders");
        return files;
    }
}
