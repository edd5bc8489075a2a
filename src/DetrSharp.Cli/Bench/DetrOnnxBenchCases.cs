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
        var gen = new Random(size);
        var input = Enumerable.Range(0, 3 * size * size).Select(_ => (float)gen.NextDouble()).ToArray();
        string name = $"detr_{size}px";
        int before = torch.get_num_threads();
        foreach (int threads in new[] { 1, 2 })
        {
            torch.set_num_threads(threads);
            using (var x = torch.tensor(input, new long[] { 1, 3, size, size }))
            using (var mask = torch.zeros(new long[] { 1, size, size }, ScalarType.Bool))
            using (var sizes = torch.tensor(new long[] { size, size }, new long[] { 1, 2 }))
            {
                var samples = new NestedTensor(x, mask);
                var r = ModelBenchTiming.Measure($"{name}_libtorch_t{threads}", () =>
                {
                    using var scope = torch.NewDisposeScope();
                    using var noGrad = torch.no_grad();
                    using var output = model.forward(samples);
                    DetrPostProcess.ProcessTopK(output, sizes, config.TopkDetections);
                }, warmup, runs);
                r.Extra["threads"] = threads;
                yield return r;
            }
        }
        torch.set_num_threads(before);
        foreach (int threads in new[] { 1, 2 })
        {
            using var onnx = OnnxDetector.Load(path, threads);
            var r = ModelBenchTiming.Measure($"{name}_onnxruntime_t{threads}", () => onnx.Run(input, 1), warmup, runs);
            r.Extra["threads"] = threads;
            yield return r;
        }
    }
}
