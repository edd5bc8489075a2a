using System.CommandLine;
using DetrSharp.Detection.Yolo;
using DetrSharp.Export;
using DetrSharp.Export.Graph;
using DetrSharp.Export.Yolo;
using DetrSharp.Training;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// `detrsharp export --checkpoint RUN/checkpoint.pth --format onnx --out model.onnx [--opset 17] [--dynamic-batch]`:
/// writes the trained detector as an ONNX graph the project builds itself (YOLOv8 and YOLOv10 so far) for a fixed square
/// input (--imgsz, default the run's data.val_size rounded up to the model's stride); `predict --engine onnx` runs it.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint written by `detrsharp train`", DefaultValueFactory = _ => Path.Combine(TrainCommand.DefaultRunDir, Checkpoint.FileName) };
        var format = new Option<string>("--format") { Description = "onnx", DefaultValueFactory = _ => "onnx" };
        var output = new Option<string>("--out") { Description = "The model file to write", DefaultValueFactory = _ => "model.onnx" };
        var opset = new Option<int>("--opset") { Description = $"ai.onnx opset, {OnnxOpsets.Min} to {OnnxOpsets.Max}", DefaultValueFactory = _ => OnnxOpsets.Default };
        var dynamicBatch = new Option<bool>("--dynamic-batch") { Description = "A symbolic batch dimension (several images per run) instead of 1" };
        var imgsz = new Option<int?>("--imgsz") { Description = "Input height and width in pixels (default: the run's data.val_size rounded up to the model's largest stride)" };
        var ema = new Option<bool>("--ema") { Description = "Export the EMA weights" };
        var nms = new Option<bool>("--nms") { Description = "YOLOv8: NMS in the graph (ONNX NonMaxSuppression), output \"detections\" [N, 7]: image, x1, y1, x2, y2, score, class" };
        var cmd = new Command("export", "Export a trained detector to ONNX (yolov8, yolov10)") { checkpoint, format, output, opset, dynamicBatch, imgsz, ema, nms };
        cmd.SetAction(parse =>
        {
            var fmt = parse.GetValue(format)!.Trim().ToLowerInvariant();
            if (fmt != "onnx") throw new ArgumentException($"--format must be onnx; got \"{fmt}\"");
            using var trained = TrainedDetector.Load(parse.GetValue(checkpoint)!, parse.GetValue(ema), EvalCommand.InferenceOverrides(null, "cpu"));
            if (trained.Detector is not YoloDetector yolo || trained.Config.Model is not YoloFamilyConfig yc)
                throw new NotSupportedException($"export --format onnx: the {trained.Config.Model.Name} family cannot be exported yet (yolov8 and yolov10 can)");
            long stride = (long)yolo.Model.Strides.Max();
            long size = parse.GetValue(imgsz) ?? trained.Config.Data.ValSize;
            if (size <= 0) throw new ArgumentException($"--imgsz must be positive; got {size}");
            size = (size + stride - 1) / stride * stride;
            var options = new OnnxExportOptions
            {
                Opset = parse.GetValue(opset), DynamicBatch = parse.GetValue(dynamicBatch), ImageSize = (size, size), ClassNames = trained.ClassNames,
                MaxDet = yc.MaxDet, ConfThreshold = yc.ConfThreshold, IouThreshold = yc.IouThreshold, Agnostic = yc.Agnostic, Nms = parse.GetValue(nms),
            };
            var model = YoloOnnxExporter.Export(yolo.Model, options);
            var path = parse.GetValue(output)!;
            OnnxModelFile.Write(model, path);
            Console.WriteLine($"wrote {path}: {trained.Config.Model.Name}, opset {options.Opset}, input images [{(options.DynamicBatch ? "batch" : "1")}, 3, {size}, {size}] RGB in [0, 1], " +
                $"{model.Graph!.Node.Count} nodes, {new FileInfo(path).Length / 1024} KiB");
            return 0;
        });
        return cmd;
    }
}
