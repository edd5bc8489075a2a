using DetrSharp.Data.Synthetic;
using DetrSharp.Detection.Detr;
using DetrSharp.Export;
using DetrSharp.Export.Detr;
using DetrSharp.Onnx;
using DetrSharp.Torch;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// The `bench onnx` cases of the default DETR (DetrConfig's defaults: ResNet-18 to layer3, hidden 128, 2 + 3 layers,
/// 30 queries, top-100; the synthetic shapes' 5 classes), batch 1: libtorch's float32 eval forward and its top-k
/// post-processing with 1 and 2 threads, the exported graph (post-processing inside) under ONNX Runtime with 1 and 2
/// threads. Weights are the initial ones: the time does not depend on them.
/// </summary>
public static class DetrOnnxBenchCases
{
    public static IEnumerable<BenchResult> Run(int size, string folder, int runs, int warmup)
    {
        var config = new DetrConfig { NumClasses = SyntheticShapes.ClassNames.Count };
        using var detector = (DetrDetector)DetrFamily.Instance.Build(config, new Detection.Families.DetectorBuildOptions());
        var model = detector.Model;
        model.eval();
        var path = Path.Combine(folder, $"detr-{size}.onnx");
        OnnxModelFile.Write(DetrOnnxExporter.Export(model, new OnnxExportOptions
        {
            ImageSize = (size, size), ClassNames = SyntheticShapes.ClassNames.ToArray(), ConfThreshold = 0,
        }, config.TopkDetections), path);
        using var mask = torch.zeros(new long[] { 1, size, size }, ScalarType.Bool);   // [1, H, W], nothing padded
        using var sizes = torch.tensor(new long[] { size, size }, new long[] { 1, 2 });
        foreach (var r in OnnxBenchComparison.Run($"detr_{size}px", size, path, x =>
        {
            using var output = model.forward(new NestedTensor(x, mask));
            DetrPostProcess.ProcessTopK(output, sizes, config.TopkDetections);
        }, runs, warmup)) yield return r;
    }
}
