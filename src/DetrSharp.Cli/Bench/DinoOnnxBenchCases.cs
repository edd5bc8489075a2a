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
        var gen = new Random(size);
        var input = Enumerable.Range(0, 3 * size * size).Select(_ => (float)gen.NextDouble()).ToArray();
        int before = torch.get_num_threads();
        foreach (int threads in new[] { 1, 2 })
        {
            torch.set_num_threads(threads);
            using (var x = torch.tensor(input, new long[] { 1, 3, size, size }))
            using (var mask = torch.zeros(new long[] { 1, size, size }, ScalarType.Bool))
            using (var sizes = torch.tensor(new float[] { size, size }, new long[] { 1, 2 }))
            {
                var samples = new NestedTensor(x, mask);
                var r = ModelBenchTiming.Measure($"dino_{size}px_libtorch_t{threads}", () =>
                {
                    using var scope = torch.NewDisposeScope();
                    using var noGrad = torch.no_grad();
                    using var output = model.forward(samples);
                    foreach (var d in DinoPostProcess.Process(output, sizes, config.NumSelect)) d.Dispose();
                }, warmup, runs);
                r.Extra["threads"] = threads;
                yield return r;
            }
        }
        torch.set_num_threads(before);
        foreach (int threads in new[] { 1, 2 })
        {
            using var onnx = OnnxDetector.Load(path, threads);
            var r = ModelBenchTiming.Measure($"dino_{size}px_onnxruntime_t{threads}", () => onnx.Run(input, 1), warmup, runs);
            r.Extra["threads"] = threads;
            yield return r;
        }
    }
}
