using DetrSharp.Detection.Detr;
using DetrSharp.Export;
using DetrSharp.Export.Detr;
using DetrSharp.Export.Proto;
using DetrSharp.Training;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// `export` for the DETR family: a square input of --imgsz (default data.val_size, the size DETR's validation resize gives
/// a square image's shorter side), the post-processing of the run's model.topk_detections.
/// </summary>
public static class DetrExport
{
    public static (ModelProto Model, OnnxExportOptions Options) Build(TrainedDetector trained, DetrDetector detr, DetrConfig config, int? imgsz, int opset, bool dynamicBatch)
    {
        long size = imgsz ?? trained.Config.Data.ValSize;
        if (size <= 0) throw new ArgumentException($"--imgsz must be positive; got {size}");
        var options = new OnnxExportOptions
        {
            Opset = opset, DynamicBatch = dynamicBatch, ImageSize = (size, size), ClassNames = trained.ClassNames, ConfThreshold = 0,
        };
        return (DetrOnnxExporter.Export(detr.Model, options, config.TopkDetections), options);
    }
}
