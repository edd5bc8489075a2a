using DetrSharp.Detection.Detr;
using DetrSharp.Detection.Families;
using DetrSharp.Torch;
using Xunit;
using Xunit.Abstractions;

namespace DetrSharp.Training.Tests;

/// <summary>
/// End to end: a tiny DETR trained on one fixed batch with the reference's criterion (aux losses), gradient
/// clipping 0.1 and AdamW (the trainer's own <see cref="TrainingStep"/> and optimizer) lowers its loss and finds the
/// objects it was shown.
/// </summary>
[Collection(SerialTraining.Name)]
public class TinyDetrOverfitTests(ITestOutputHelper output)
{
    const int Steps = 100;

    // (class, cx, cy, w, h) per image, normalised; each object painted as a flat rectangle of its class colour.
    static readonly (long label, float cx, float cy, float w, float h)[][] Scenes =
    [
        [(1, 0.30f, 0.30f, 0.30f, 0.40f), (2, 0.70f, 0.70f, 0.25f, 0.25f)],
        [(1, 0.50f, 0.40f, 0.50f, 0.30f)],
    ];

    static readonly float[][] Colours = [[0, 0, 0], [1, 0.2f, 0.2f], [0.2f, 1, 0.2f]];

    [Fact]
    public void LossFallsAndTheObjectsAreFound()
    {
        torch.manual_seed(1);
        var config = DetrConfig.Reference with
        {
            Backbone = "resnet18", HiddenDim = 64, NHeads = 4, EncLayers = 1, DecLayers = 2, DimFeedforward = 128,
            NumQueries = 6, NumClasses = 3, Dropout = 0,
        };
        var optim = new OptimConfig { Lr = 1e-3, LrBackbone = 1e-4, WeightDecay = 1e-4, ClipMaxNorm = 0.1 };
        using var detector = (DetrDetector)DetrFamily.Instance.Build(config, new DetectorBuildOptions());
        var model = detector.Model;
        model.train();
        using var optimizer = TrainingOptimizer.Create(detector, optim);
        var step = new TrainingStep(detector, optimizer, optim.ClipMaxNorm);

        using var data = torch.NewDisposeScope();
        var (samples, targets) = Batch(64);
        var batch = new DetectionBatch { Samples = samples, Targets = targets };
        var history = new List<double>();
        long rssAfterWarmup = 0;
        for (int i = 0; i < Steps; i++)
        {
            history.Add(step.Run(batch, i + 1)["loss"]);
            if (i == 10) rssAfterWarmup = Environment.WorkingSet;
        }
        output.WriteLine($"resident memory after step 10: {rssAfterWarmup >> 20} MiB, after step {Steps}: {Environment.WorkingSet >> 20} MiB");
        output.WriteLine(string.Join(" ", history.Select((l, i) => i % 10 == 0 ? $"{i}:{l:F3}" : null).Where(s => s != null)));

        double first = history.Take(5).Average(), last = history.TakeLast(5).Average();
        Assert.True(last < 0.4 * first, $"loss {first:F3} → {last:F3}");

        // Every object is found: some query predicts its class with the highest score and overlaps it well.
        model.eval();
        using var noGrad = torch.no_grad();
        var final = model.forward(samples);
        using var sizes = torch.tensor(new long[] { 64, 64, 64, 64 }, new long[] { 2, 2 });
        var results = DetrPostProcess.Process(final, sizes);
        for (int i = 0; i < Scenes.Length; i++)
        {
            var scores = results[i].Scores.data<float>();
            var labels = results[i].Labels.data<long>();
            var boxes = results[i].Boxes.data<float>();
            foreach (var (label, cx, cy, w, h) in Scenes[i])
            {
                float[] truth = [(cx - w / 2) * 64, (cy - h / 2) * 64, (cx + w / 2) * 64, (cy + h / 2) * 64];
                bool found = Enumerable.Range(0, scores.Length).Any(q => labels[q] == label && scores[q] > 0.5 && Iou(boxes.AsSpan(q * 4, 4), truth) > 0.7);
                Assert.True(found, $"image {i}: no confident query found class {label} at [{string.Join(", ", truth)}]");
            }
        }
    }

    internal static (NestedTensor samples, DetectionTarget[] targets) Batch(int size)
    {
        var images = new Tensor[Scenes.Length];
        var targets = new DetectionTarget[Scenes.Length];
        for (int i = 0; i < Scenes.Length; i++)
        {
            var image = torch.zeros(3, size, size);                       // [3, H, W]
            foreach (var (label, cx, cy, w, h) in Scenes[i])
            {
                long x0 = (long)Math.Round((cx - w / 2) * size), x1 = (long)Math.Round((cx + w / 2) * size);
                long y0 = (long)Math.Round((cy - h / 2) * size), y1 = (long)Math.Round((cy + h / 2) * size);
                for (int c = 0; c < 3; c++)
                    image[c, TensorIndex.Slice(y0, y1), TensorIndex.Slice(x0, x1)].fill_(Colours[label][c]);
            }
            images[i] = image;
            var labels = torch.tensor(Scenes[i].Select(o => o.label).ToArray());                         // [n]
            var boxes = torch.tensor(Scenes[i].SelectMany(o => new[] { o.cx, o.cy, o.w, o.h }).ToArray(),
                new long[] { Scenes[i].Length, 4 });                                                       // [n, 4]
            targets[i] = new DetectionTarget(labels, boxes);
        }
        return (NestedTensor.FromTensorList(images), targets);
    }

    static double Iou(ReadOnlySpan<float> a, float[] b)
    {
        double iw = Math.Max(0, Math.Min(a[2], b[2]) - Math.Max(a[0], b[0]));
        double ih = Math.Max(0, Math.Min(a[3], b[3]) - Math.Max(a[1], b[1]));
        double inter = iw * ih;
        double union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union > 0 ? inter / union : 0;
    }
}
