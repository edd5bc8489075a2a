using System.CommandLine;
using DetrSharp.Detection.Detr;
using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Yolo;
using DetrSharp.Export;
using DetrSharp.Export.Graph;
using DetrSharp.Export.Proto;
using DetrSharp.Export.Yolo;
using DetrSharp.Training;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// `detrsharp export --checkpoint RUN/checkpoint.pth --format onnx --out model.onnx [--opset 17] [--dynamic-batch]`:
/// writes the trained detector as an ONNX graph the project builds itself (YOLOv8, YOLOv10, DETR and DINO so far) for a fixed
/// square input (--imgsz, default the run's data.val_size, rounded up to the model's stride for YOLO); `predict --engine
/// onnx` runs it. Each family's export is one case of the switch below (DETR's in <see cref="DetrExport"/>, DINO's in <see cref="DinoExport"/>).
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
        var imgsz = new Option<int?>("--imgsz") { Description = "Input height and width in pixels (default: the run's data.val_size; YOLO rounds it up to the model's largest stride)" };
        var ema = new Option<bool>("--ema") { Description = "Export the EMA weights" };
        var nms = new Option<bool>("--nms") { Description = "YOLOv8: NMS in the graph (ONNX NonMaxSuppression), output \"detections\" [N, 7]: image, x1, y1, x2, y2, score, class" };
        var cmd = new Command("export", "Export a trained detector to ONNX (yolov8, yolov10, detr, dino)") { checkpoint, format, output, opset, dynamicBatch, imgsz, ema, nms };
        cmd.SetAction(parse =>
        {
            var fmt = parse.GetValue(format)!.Trim().ToLowerInvariant();
            if (fmt != "onnx") throw new ArgumentException($"--format must be onnx; got \"{fmt}\"");
            using var trained = TrainedDetector.Load(parse.GetValue(checkpoint)!, parse.GetValue(ema), EvalCommand.InferenceOverrides(null, "cpu"));
            if (parse.GetValue(nms) && trained.Detector is not YoloDetector)
                throw new ArgumentException($"export --nms: only YOLOv8 has NMS to put in the graph; this checkpoint is {trained.Config.Model.Name}");
            var path = parse.GetValue(output)!;
            var (model, options) = trained.Detector switch
            {
                YoloDetector yolo when trained.Config.Model is YoloFamilyConfig yc => Yolo(trained, yolo, yc, parse.GetValue(imgsz), parse.GetValue(opset), parse.GetValue(dynamicBatch), parse.GetValue(nms)),
                DetrDetector detr when trained.Config.Model is DetrConfig dc => DetrExport.Build(trained, detr, dc, parse.GetValue(imgsz), parse.GetValue(opset), parse.GetValue(dynamicBatch)),
                DinoDetector dino when trained.Config.Model is DinoConfig dc => DinoExport.Build(trained, dino, dc, parse.GetValue(imgsz), parse.GetValue(opset), parse.GetValue(dynamicBatch)),
                _ => throw new NotSupportedException($"export --format onnx: the {trained.Config.Model.Name} family cannot be exported yet (yolov8, yolov10, detr and dino can)"),
            };
            OnnxModelFile.Write(model, path);
            var (h, w) = options.ImageSize;
            Console.WriteLine($"wrote {path}: {trained.Config.Model.Name}, opset {options.Opset}, input images [{(options.DynamicBatch ? "batch" : "1")}, 3, {h}, {w}] RGB in [0, 1], " +
                $"{model.Graph!.Node.Count} nodes, {new FileInfo(path).Length / 1024} KiB");
            return 0;
        });
        return cmd;
    }

    static (ModelProto, OnnxExportOptions) Yolo(TrainedDetector trained, YoloDetector yolo, YoloFamilyConfig yc, int? imgsz, int opset, bool dynamicBatch, bool nms)
    {
        long stride = (long)yolo.Model.Strides.Max();
        long size = imgsz ?? trained.Config.Data.ValSize;
        if (size <= 0) throw new ArgumentException($"--imgsz must be positive; got {size}");
        size = (size + stride - 1) / stride * stride;
        var options = new OnnxExportOptions
        {
            Opset = opset, DynamicBatch = dynamicBatch, ImageSize = (size, size), ClassNames = trained.ClassNames,
            MaxDet = yc.MaxDet, ConfThreshold = yc.ConfThreshold, IouThreshold = yc.IouThreshold, Agnostic = yc.Agnostic, Nms = nms,
        };
        return (YoloOnnxExporter.Export(yolo.Model, options), options);
    }
}
