using DetrSharp.Onnx;
using DetrSharp.Torch;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// The one timing loop of `bench onnx`: the same seeded random image [1, 3, size, size] (RGB in [0, 1]) through the
/// libtorch model with 1 and 2 intra-op threads, then through the exported graph under ONNX Runtime with 1 and 2
/// threads. Each family's cases (<see cref="OnnxBench"/>, <see cref="DetrOnnxBenchCases"/>,
/// <see cref="DinoOnnxBenchCases"/>) export their model and say what one libtorch call is.
/// </summary>
internal static class OnnxBenchComparison
{
    /// <param name="name">Result prefix, e.g. "yolov8n_128px".</param>
    /// <param name="libtorchCall">One libtorch inference (forward and the family's decoding) on the image tensor.</param>
    public static IEnumerable<BenchResult> Run(string name, int size, string onnxPath, Action<Tensor> libtorchCall, int runs, int warmup)
    {
        var gen = new Random(size);
        var input = Enumerable.Range(0, 3 * size * size).Select(_ => (float)gen.NextDouble()).ToArray();
        int before = torch.get_num_threads();
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                torch.set_num_threads(threads);
                using var x = torch.tensor(input, new long[] { 1, 3, size, size });   // [1, 3, H, W]
                var r = ModelBenchTiming.Measure($"{name}_libtorch_t{threads}", () =>
                {
                    using var scope = torch.NewDisposeScope();
                    using var noGrad = torch.no_grad();
                    libtorchCall(x);
                }, warmup, runs);
                r.Extra["threads"] = threads;
                yield return r;
            }
        }
        finally
        {
            torch.set_num_threads(before);
        }
        foreach (int threads in new[] { 1, 2 })
        {
            using var onnx = OnnxDetector.Load(onnxPath, threads);
            var r = ModelBenchTiming.Measure($"{name}_onnxruntime_t{threads}", () => onnx.Run(input, 1), warmup, runs);
            r.Extra["threads"] = threads;
            yield return r;
        }
    }
}
