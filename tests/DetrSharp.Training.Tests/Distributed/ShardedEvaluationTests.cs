using DetrSharp.Data.Synthetic;
using DetrSharp.Detection.Families;
using DetrSharp.Evaluation;
using DetrSharp.Torch;
using DetrSharp.Training.Distributed;
using Xunit;

namespace DetrSharp.Training.Tests.Distributed;

/// <summary>
/// Evaluation in a distributed run: two ranks (c10d Gloo over loopback, as two threads of this process, each with its
/// own model copy and validation share from <see cref="TrainingData.Open"/>) predict their shares of 7 validation
/// images — rank 1 loads image 0 again as padding — and rank 0's gathered result equals one process evaluating all 7
/// with the same weights: the same detections in the same order (the padded image counted once), the same stats.
/// Batch 1, so that every image is predicted alone in both runs: in batches of other images, libtorch's kernels round
/// an image's outputs differently (to 1e-7), in one process as across ranks.
/// </summary>
[Collection(SerialTraining.Name)]
public sealed class ShardedEvaluationTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "detrsharp-sharded-eval-" + Guid.NewGuid().ToString("N")[..8]);

    public ShardedEvaluationTests()
        => SyntheticShapes.Generate(_root, new SyntheticShapesOptions { TrainImages = 2, ValImages = 7, ImageSize = 96, Seed = 11, MaxObjects = 2 });

    [Fact]
    public void TwoRanksGatherToOneProcessResult()
    {
        var cfg = TinyData.With(TinyData.Config(_root), ("data.batch_size", 1));
        var whole = TrainingData.Open(_root, cfg);
        int classes = whole.ClassNames.Count;
        torch.manual_seed(3);
        EvalResult expected;
        using (var single = DetectorFactory.Build(cfg, classes))
            expected = DetectionEvaluator.Evaluate(single, whole.ValLoader, whole.ValGroundTruth);

        int port = Loopback.FreePort();
        var contexts = new DistributedContext?[2];
        var detectors = new IDetector?[2];
        try
        {
            for (int r = 0; r < 2; r++)
            {
                torch.manual_seed(r == 0 ? 3 : 99); // rank 1 starts elsewhere: the broadcast from rank 0 must fix that
                detectors[r] = DetectorFactory.Build(cfg, classes);
            }
            var ranks = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
            {
                var settings = new DistributedSettings(r, 2, r, "127.0.0.1", port);
                var ctx = contexts[r] = DistributedContext.Join(settings, TimeSpan.FromSeconds(30));
                var m = detectors[r]!.Module;
                ctx.BroadcastFromMain(m.parameters().Concat(m.buffers()).ToList());
                var share = TrainingData.Open(_root, cfg, settings);
                return ShardedEvaluation.Run(ctx, detectors[r]!, share.ValLoader, () => share.ValGroundTruth);
            }, TaskCreationOptions.LongRunning)).ToArray();
            Assert.True(Task.WaitAll(ranks, TimeSpan.FromMinutes(3)), "the two ranks did not finish");
            Assert.Null(ranks[1].Result); // rank 0 alone scores

            var gathered = ranks[0].Result!;
            Assert.NotEmpty(expected.Detections);
            Assert.Equal(7, expected.Detections.Select(d => d.ImageId).Distinct().Count()); // every image has detections: the padded one would show twice
            Assert.Equal(expected.Detections, gathered.Detections);
            Assert.Equal(expected.Stats, gathered.Stats);
            Assert.Equal(expected.PerCategoryAP, gathered.PerCategoryAP);
        }
        finally
        {
            foreach (var d in detectors) d?.Dispose();
            foreach (var c in contexts) c?.Dispose();
        }
    }

    [Fact]
    public void DetectionsSurviveTheBytesExactly()
    {
        var dets = new List<CocoDetection>
        {
            new(42, 3, new CocoBox(0.1, 1e-300, 95.99999999, 3), 0.123456789012345),
            new(long.MaxValue, 1, new CocoBox(-1, 2, 0, 7.5), 1),
        };
        var back = DetectionBytes.Decode(DetectionBytes.Encode(dets, id => id == 42 ? 5 : 0));
        Assert.Equal(dets, back.Select(b => b.Detection));
        Assert.Equal([5, 0], back.Select(b => b.Position));
        var e = Assert.Throws<ArgumentException>(() => DetectionBytes.Decode(new byte[61]));
        Assert.Contains("not a whole number", e.Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
