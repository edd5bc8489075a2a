using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using DetrSharp.Data.Coco;
using DetrSharp.Data.Drawing;
using DetrSharp.Data.Imaging;
using DetrSharp.Torch.IO;
using DetrSharp.Training;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// `detrsharp predict IMAGE|FOLDER ...`: draws boxes with class names and scores, writes PNG and JSON per image
/// (`--format images`, the default), or one COCO results file (`--format coco --annotations FILE`) that
/// `detrsharp cocoeval` and pycocotools read. An image that cannot be read is reported and the others are still
/// processed; the exit status is then 1.
/// </summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("images") { Description = "Image files (JPEG or PNG) or folders of them", Arity = ArgumentArity.OneOrMore };
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint written by `detrsharp train`", DefaultValueFactory = _ => Path.Combine(TrainCommand.DefaultRunDir, Checkpoint.FileName) };
        var output = new Option<string>("--out") { Description = "Folder for NAME.pred.png and NAME.pred.json (or detections.coco.json)", DefaultValueFactory = _ => "predictions" };
        var threshold = new Option<double>("--threshold") { Description = "Minimum score to keep a detection, in [0, 1] (use 0 for `--format coco` results meant for mAP)", DefaultValueFactory = _ => 0.5 };
        var ema = new Option<bool>("--ema") { Description = "Use the EMA weights" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default: the run's runtime.device)" };
        var format = new Option<string>("--format") { Description = "images: NAME.pred.png + NAME.pred.json per image; coco: one COCO results file OUT/detections.coco.json (needs --annotations)", DefaultValueFactory = _ => "images" };
        var annotations = new Option<string?>("--annotations") { Description = "COCO instances JSON whose images (matched by file name) and categories (matched by name) give the ids of `--format coco`" };
        var engine = new Option<string>("--engine") { Description = "torch: the checkpoint on libtorch; onnx: an exported --model through ONNX Runtime", DefaultValueFactory = _ => "torch" };
        var model = new Option<string?>("--model") { Description = "With --engine onnx: the model written by `detrsharp export --format onnx`" };
        var cmd = new Command("predict", HelpText.WithExamples("Run a trained detector on images",
            "detrsharp predict photo.jpg --checkpoint runs/yolov10-shapes/checkpoint.pth --out predictions",
            "detrsharp predict val/ --threshold 0 --format coco --annotations instances_val.json --out preds",
            "detrsharp predict photo.jpg --engine onnx --model model.onnx --out predictions")) { inputs, checkpoint, output, threshold, ema, device, format, annotations, engine, model };
        cmd.SetAction(parse =>
        {
            double min = parse.GetValue(threshold);
            if (!double.IsFinite(min) || min < 0 || min > 1)
                throw new ArgumentException($"--threshold must be a score in [0, 1]; got {min}");
            var fmt = parse.GetValue(format)!.Trim().ToLowerInvariant();
            if (fmt is not ("images" or "coco")) throw new ArgumentException($"--format must be images or coco; got \"{fmt}\"");
            var annotationFile = parse.GetValue(annotations);
            if (fmt == "coco" && annotationFile == null)
                throw new ArgumentException("--format coco needs --annotations FILE: the COCO instances file whose image and category ids the results use");
            var files = Expand(parse.GetValue(inputs)!);
            using var trained = ImagePredictor.Open(ImagePredictor.Engine(parse.GetValue(engine)), parse.GetValue(model),
                () => TrainedDetector.Load(parse.GetValue(checkpoint)!, parse.GetValue(ema), EvalCommand.InferenceOverrides(null, parse.GetValue(device))));
            var coco = fmt == "coco" ? CocoResults.For(annotationFile!, trained.ClassNames) : null;
            var outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            var names = new OutputNames();
            var failed = new List<string>();
            foreach (var file in files)
            {
                RgbImage image;
                try { image = ImageCodec.Decode(file); }
                catch (ImageDecodeException e)
                {
                    Console.Error.WriteLine($"detrsharp: skipped {e.Message}");
                    failed.Add(file);
                    continue;
                }
                var det = trained.Predict(image, (float)min);
                if (coco != null)
                {
                    try { Console.WriteLine($"{file}: {coco.Add(file, det, image.Width, image.Height)} objects"); }
                    catch (ArgumentException e)
                    {
                        Console.Error.WriteLine($"detrsharp: skipped {e.Message}");
                        failed.Add(file);
                    }
                    continue;
                }
                var objects = new JsonArray();
                var boxes = new List<LabeledBox>();
                for (int i = 0; i < det.Scores.Length; i++)
                {
                    float x1 = det.BoxesXyxy[i * 4], y1 = det.BoxesXyxy[i * 4 + 1], x2 = det.BoxesXyxy[i * 4 + 2], y2 = det.BoxesXyxy[i * 4 + 3];
                    string name = trained.ClassNames[det.Labels[i]];
                    boxes.Add(new LabeledBox(x1, y1, x2, y2, det.Labels[i], $"{name} {det.Scores[i]:F2}"));
                    objects.Add(new JsonObject
                    {
                        ["label"] = name, ["score"] = Math.Round(det.Scores[i], 4),
                        ["box_xyxy"] = new JsonArray(Math.Round(x1, 2), Math.Round(y1, 2), Math.Round(x2, 2), Math.Round(y2, 2)),
                    });
                }
                ImageDrawing.DrawBoxes(image, boxes);
                var stem = Path.Combine(outDir, names.For(file));
                ImageCodec.WritePng(stem + ".pred.png", image);
                var json = new JsonObject { ["image"] = file, ["width"] = image.Width, ["height"] = image.Height, ["detections"] = objects };
                AtomicFile.WriteAllText(stem + ".pred.json", json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
                Console.WriteLine($"{file}: {det.Scores.Length} objects -> {stem}.pred.png");
            }
            if (coco != null)
            {
                var path = Path.Combine(outDir, "detections.coco.json");
                AtomicFile.WriteAllText(path, coco.ToJson() + "\n");
                Console.WriteLine($"COCO results: {path} ({coco.Count} detections); score them with: detrsharp cocoeval {annotationFile} {path}");
            }
            if (failed.Count == 0) return 0;
            Console.Error.WriteLine($"detrsharp: {failed.Count} of {files.Count} images could not be read or matched: {string.Join(", ", failed)}");
            return 1;
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

    /// <summary>Output names that never collide: a/x.jpg and b/x.png give x and x-2 (case-insensitively unique).</summary>
    sealed class OutputNames
    {
        readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

        public string For(string file)
        {
            var stem = Path.GetFileNameWithoutExtension(file);
            var name = stem;
            for (int n = 2; !_used.Add(name); n++) name = $"{stem}-{n}";
            return name;
        }
    }
}
