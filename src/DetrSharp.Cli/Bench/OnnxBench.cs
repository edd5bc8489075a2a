using DetrSharp.Detection.Yolo;
using DetrSharp.Export;
using DetrSharp.Export.Yolo;
using DetrSharp.Onnx;
using DetrSharp.Torch;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `detrsharp bench onnx`: inference latency of YOLOv10n and YOLOv8n (80 classes, batch 1) exported by the project and run
/// by ONNX Runtime with 1 and 2 intra-op threads, beside the libtorch model's eval forward (decoding included on both
/// sides; YOLOv10's top-k inside the ONNX graph) with 1 and 2 threads; at 640 px (ultralytics' size) and 128 px (the
/// synthetic shapes' size); the default DETR at 128 px (data.val_size) and 640 px (<see cref="DetrOnnxBenchCases"/>); DINO at
/// 128 px (<see cref="DinoOnnxBenchCases"/>). Weights are the models' initial ones: the time does not depend on them.
/// </summary>
public sealed class OnnxBench : IBenchSuite
{
    public string Name => "onnx";
    public string Description => "YOLOv10n / YOLOv8n (640 and 128 px), default DETR (128 and 640 px) and DINO (128 px) inference: ONNX Runtime (1 and 2 threads) vs libtorch, batch 1";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        int runs = options.Runs > 0 ? options.Runs : 10;
        int warmup = options.Warmup > 0 ? options.Warmup : 2;
        var folder = Directory.CreateTempSubdirectory("detrsharp-bench-onnx-").FullName;
        try
        {
            foreach (var name in new[] { "yolov10n", "yolov8n" })
                foreach (var size in new[] { 640, 128 })
                    foreach (var r in Cases(name, size, folder, runs, warmup)) yield return r;
            foreach (var size in new[] { 128, 640 })
                foreach (var r in DetrOnnxBenchCases.Run(size, folder, runs, warmup)) yield return r;
            foreach (var r in DinoOnnxBenchCases.Run(128, folder, runs, warmup)) yield return r;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static IEnumerable<BenchResult> Cases(string name, int size, string folder, int runs, int warmup)
    {
        using var model = YoloModel.Build(name, 80);
        model.eval();
        var path = Path.Combine(folder, $"{name}-{size}.onnx");
        OnnxModelFile.Write(YoloOnnxExporter.Export(model, new OnnxExportOptions
        {
            ImageSize = (size, size), ClassNames = Enumerable.Range(0, 80).Select(i => $"class{i}").ToArray(),
        }), path);
        foreach (var r in OnnxBenchComparison.Run($"{name}_{size}px", size, path, x => model.forward(x).Dispose(), runs, warmup))
            yield return r;
    }
}
