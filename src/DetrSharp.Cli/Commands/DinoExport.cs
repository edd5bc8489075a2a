using DetrSharp.Detection.Dino;
using DetrSharp.Export;
using DetrSharp.Export.Dino;
using DetrSharp.Export.Proto;
using DetrSharp.Training;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// `export` for the DINO family: a square input of --imgsz (default data.val_size, the size DINO's validation resize gives
/// a square image's shorter side), the top model.num_select (query, class) pairs of its PostProcess inside the graph.
/// Opset 16 or later (GridSample).
/// </summary>
public static class DinoExport
{
    public static (ModelProto Model, OnnxExportOptions Options) Build(TrainedDetector trained, DinoDetector dino, DinoConfig config, int? imgsz, int opset, bool dynamicBatch)
    {
        long size = imgsz ?? trained.Config.Data.ValSize;
        if (size <= 0) throw new ArgumentException($"--imgsz must be positive; got {size}");
        var options = new OnnxExportOptions
        {
            Opset = opset, DynamicBatch = dynamicBatch, ImageSize = (size, size), ClassNames = trained.ClassNames, ConfThreshold = 0,
            MaxDet = config.NumSelect,
        };
        return (DinoOnnxExporter.Export(dino.Model, options), options);
    }
}
