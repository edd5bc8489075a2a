using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Families;
using DetrSharp.Export;
using DetrSharp.Export.Dino;
using DetrSharp.Onnx;
using DetrSharp.Torch;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `bench onnx`'s DINO cases: the default DINO (DetrSharp's CPU config: ResNet-18, 3 levels, 2 + 3 layers, 100 queries,
/// 80 classes) at 128 px, batch 1, exported by the project and run by ONNX Runtime with 1 and 2 intra-op threads,
/// beside the libtorch eval forward + DinoPostProcess with 1 and 2 threads (the ONNX graph holds the same top-k).
/// Weights are the initial ones: the time does not depend on them.
/// </summary>
internal static class DinoOnnxBenchCases
{
    public static IEnumerable<BenchResult> Run(int size, string folder, int runs, int warmup)
    {
        var config = new DinoConfig { NumClasses = 80 };
        using var detector = (DinoDetector)DinoFamily.Instance.Build(config, new DetectorBuildOptions());
        var model = detector.Model;
        model.eval();
        var path = Path.Combine(folder, $"dino-{size}.onnx");
        OnnxModelFile.Write(DinoOnnxExporter.Export(model, new OnnxExportOptions
        {
            ImageSize = (size, size), ClassNames = Enumerable.Range(0, 80).Select(i => $"class{i}").ToArray(), MaxDet = config.NumSelect,
        }), path);
        using var mask = torch.zeros(new long[] { 1, size, size }, ScalarType.Bool);   // [1, H, W], nothing padded
        using var sizes = torch.tensor(new float[] { size, size }, new long[] { 1, 2 });
        foreach (var r in OnnxBenchComparison.Run($"dino_{size}px", size, path, x =>
        {
            using var output = model.forward(new NestedTensor(x, mask));
            foreach (var d in DinoPostProcess.Process(output, sizes, config.NumSelect)) d.Dispose();
        }, runs, warmup)) yield return r;
    }
}
