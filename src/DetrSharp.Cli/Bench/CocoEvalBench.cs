using System.Diagnostics;
using DetrSharp.Evaluation;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `detrsharp bench cocoeval`: COCOeval (bbox) evaluate + accumulate + summarize on a synthetic set of
/// 5,000 images and 80 categories with ~35k gt boxes and exactly 100 detections per image (500,000):
/// jittered copies of the gts (sometimes with the wrong category) plus false positives, drawn from a
/// fixed seed so every run sees the same data. The reference, pycocotools, takes 45.7 s on it
/// (evaluate 35.3 s + accumulate 10.4 s). `--threads N` sets the matching width (default: core count).
/// Besides wall times the case reports <c>cpu_ms</c>, the process CPU time per run, which stays
/// meaningful on a shared machine.
/// </summary>
public sealed class CocoEvalBench : IBenchSuite
{
    const int Images = 5000, Categories = 80, DetectionsPerImage = 100;
    const double PycocotoolsMs = 45700, PycocotoolsEvaluateMs = 35300, PycocotoolsAccumulateMs = 10400;

    public string Name => "cocoeval";
    public string Description => "COCO bbox evaluation of 500k detections on 5,000 images x 80 categories (pycocotools: 45.7 s)";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        int runs = options.Runs > 0 ? options.Runs : 5;
        int warmup = options.Warmup > 0 ? options.Warmup : 1;
        int width = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var (gt, detections) = Synthesize(seed: 20240917);

        var evaluateMs = new List<double>();
        var accumulateMs = new List<double>();
        var summarizeMs = new List<double>();
        var cpuMs = new List<double>();
        var process = Process.GetCurrentProcess();
        CocoStats? stats = null;
        int call = 0;
        var times = BenchTimer.Measure(() =>
        {
            var ev = new CocoEvaluator(gt, detections) { MaxDegreeOfParallelism = width };
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            ev.Evaluate();
            long t1 = Stopwatch.GetTimestamp();
            ev.Accumulate();
            long t2 = Stopwatch.GetTimestamp();
            stats = ev.Summarize();
            long t3 = Stopwatch.GetTimestamp();
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpu0;
            if (call++ < warmup) return;
            cpuMs.Add(cpu.TotalMilliseconds);
            evaluateMs.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            accumulateMs.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
            summarizeMs.Add(Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds);
        }, warmup, runs);

        double median = BenchResult.Median(times);
        yield return new BenchResult
        {
            Case = "cocoeval_5000img_80cat",
            RunsMs = times,
            Extra =
            {
                ["evaluate_ms"] = Math.Round(BenchResult.Median(evaluateMs), 3),
                ["accumulate_ms"] = Math.Round(BenchResult.Median(accumulateMs), 3),
                ["summarize_ms"] = Math.Round(BenchResult.Median(summarizeMs), 3),
                ["cpu_ms"] = Math.Round(BenchResult.Median(cpuMs), 3),
                ["pycocotools_ms"] = PycocotoolsMs,
                ["pycocotools_evaluate_ms"] = PycocotoolsEvaluateMs,
                ["pycocotools_accumulate_ms"] = PycocotoolsAccumulateMs,
                ["speedup"] = Math.Round(PycocotoolsMs / median, 1),
                ["threads"] = width,
                ["images"] = Images,
                ["categories"] = Categories,
                ["gt_boxes"] = gt.Annotations.Count,
                ["detections"] = detections.Count,
                ["AP"] = stats!.AP,
                ["AP50"] = stats.AP50,
            },
        };
    }

    /// <summary>The benchmark's data set, the same for a given seed on every machine.</summary>
    public static (CocoGroundTruth, CocoDetections) Synthesize(ulong seed)
    {
        var rng = new SplitMix64(seed);
        var images = new List<CocoImage>(Images);
        var categories = new List<CocoCategory>(Categories);
        for (int c = 1; c <= Categories; c++) categories.Add(new CocoCategory(c, "class" + c));
        var anns = new List<CocoAnnotation>(40_000);
        var dets = new List<CocoDetection>(Images * DetectionsPerImage);
        const double W = 640, H = 480;
        for (int img = 1; img <= Images; img++)
        {
            images.Add(new CocoImage(img, $"{img:D12}.jpg", (int)W, (int)H));
            int start = dets.Count;
            int gts = 2 + rng.NextInt(11);   // 2..12, mean 7 => ~35k boxes
            for (int g = 0; g < gts; g++)
            {
                // skewed category frequencies; log-uniform box areas spanning small, medium and large
                int cat = 1 + (int)(Categories * Math.Pow(rng.NextDouble(), 1.5));
                var box = RandomBox(ref rng, W, H);
                bool crowd = rng.NextDouble() < 0.01;
                double area = box.Area * (0.6 + 0.35 * rng.NextDouble());
                anns.Add(new CocoAnnotation(anns.Count + 1, img, cat, box, area, crowd));
                int copies = rng.NextInt(3);   // 0..2 jittered detections per gt
                for (int j = 0; j < copies; j++)
                {
                    double jw = box.Width * 0.15, jh = box.Height * 0.15;
                    var d = new CocoBox(box.X + jw * (2 * rng.NextDouble() - 1), box.Y + jh * (2 * rng.NextDouble() - 1),
                        box.Width * (0.85 + 0.3 * rng.NextDouble()), box.Height * (0.85 + 0.3 * rng.NextDouble()));
                    int dcat = rng.NextDouble() < 0.85 ? cat : 1 + rng.NextInt(Categories);
                    dets.Add(new CocoDetection(img, dcat, Round2(d), Math.Round(0.3 + 0.7 * rng.NextDouble(), 5)));
                }
            }
            while (dets.Count - start < DetectionsPerImage)
                dets.Add(new CocoDetection(img, 1 + rng.NextInt(Categories), Round2(RandomBox(ref rng, W, H)),
                    Math.Round(0.6 * rng.NextDouble(), 5)));
        }
        var gt = new CocoGroundTruth(images, categories, anns, "synthetic ground truth");
        return (gt, CocoDetections.FromList(dets, gt, "synthetic detections"));
    }

    static CocoBox RandomBox(ref SplitMix64 rng, double w, double h)
    {
        double area = Math.Exp(Math.Log(64) + (Math.Log(300 * 300) - Math.Log(64)) * rng.NextDouble());
        double aspect = Math.Exp(Math.Log(0.5) + (Math.Log(2) - Math.Log(0.5)) * rng.NextDouble());
        double bw = Math.Min(w, Math.Sqrt(area * aspect)), bh = Math.Min(h, Math.Sqrt(area / aspect));
        return Round2(new CocoBox((w - bw) * rng.NextDouble(), (h - bh) * rng.NextDouble(), bw, bh));
    }

    static CocoBox Round2(CocoBox b) => new(Math.Round(b.X, 2), Math.Round(b.Y, 2), Math.Round(b.Width, 2), Math.Round(b.Height, 2));

    /// <summary>SplitMix64: a tiny generator whose sequence is fixed by its seed, independent of .NET's Random.</summary>
    struct SplitMix64(ulong seed)
    {
        ulong state = seed;

        public ulong Next()
        {
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
        public int NextInt(int n) => (int)(NextDouble() * n);
    }
}
