using DetrSharp.Detection.Tests.Support;
using DetrSharp.Detection.Yolo;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>
/// The seed of the N(0, 1) output weights a yolo_forward fixture drew its gradients with
/// (torch.Generator().manual_seed(seed + 99), one randn per output in sorted key order).
/// params.seed when the file gives it; otherwise the files carry no seed, so it is recovered from the
/// one gradient that depends on the first weights alone: the first level's box-branch output bias,
/// whose gradient is the sum of those weights over batch and positions. Every other gradient is then
/// checked against that seed's weights.
/// </summary>
internal static class GradientSeed
{
    const long SearchLimit = 100_000;

    public static long Find(Fixture f, IReadOnlyList<long[]> sortedOutputShapes, Detect head, string what)
    {
        if (f.Params.TryGetProperty("seed", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.Number) return s.GetInt64();
        var biasKey = f.Expected.GetProperty("grad_params").EnumerateObject()
            .Select(p => p.Name).FirstOrDefault(n => n.EndsWith(".cv2.0.2.bias", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{what}: no params.seed and no first-level box bias gradient to recover it from");
        using var scope = torch.NewDisposeScope();
        var expected = FixtureData.Tensor(f.Expected.GetProperty("grad_params").GetProperty(biasKey)); // [4 reg_max]
        double atol = f.Tol("grad_atol", f.Atol), rtol = f.Tol("grad_rtol", f.Rtol);
        var first = sortedOutputShapes[0];
        using var gen = new Generator(0);
        for (long seed = 0; seed < SearchLimit; seed++)
        {
            using var inner = torch.NewDisposeScope();
            gen.manual_seed(seed + 99);
            var w = torch.randn(first, generator: gen);                           // [B, no, H, W]
            var sums = w.narrow(1, 0, head.RegMax * 4).sum(new long[] { 0, 2, 3 }); // [4 reg_max]
            if (torch.allclose(sums, expected, rtol, atol)) return seed;
        }
        throw new InvalidOperationException($"{what}: no seed below {SearchLimit} reproduces the box-bias gradient");
    }
}
