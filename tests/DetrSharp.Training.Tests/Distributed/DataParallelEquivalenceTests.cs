using System.Net;
using System.Net.Sockets;
using DetrSharp.Data.Coco;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;
using DetrSharp.Detection.Detr;
using DetrSharp.Detection.Families;
using DetrSharp.Detection.Models;
using DetrSharp.Torch;
using DetrSharp.Torch.Distributed;
using DetrSharp.Training.Distributed;
using Xunit;

namespace DetrSharp.Training.Tests.Distributed;

/// <summary>
/// Data parallelism changes nothing but the speed: two ranks × batch 4 (c10d Gloo over loopback, each rank its own
/// model, loader share and process group, as two threads of this process) end with the weights of one process ×
/// batch 8 after the same steps. The tiny DETR has frozen BatchNorm (or trainable BatchNorm synchronised over the ranks),
/// no dropout and eos_coef 1 (a weighted cross entropy is not the mean of per-rank means), and the steps include
/// gradient clipping and num_boxes over ranks. The gradients are averaged by buckets started during backward, with
/// DDP's bucket cap and with one small enough to make many; with gradient accumulation only once per optimizer step.
/// </summary>
[Collection(SerialTraining.Name)]
public sealed class DataParallelEquivalenceTests : IDisposable
{
    const int Steps = 3;
    readonly TinyData _data = new();

    RunConfig Config(ResNetNorm norm = ResNetNorm.Frozen)
    {
        var cfg = TinyData.Config(_data.Root);
        return cfg with { Model = ((DetrConfig)cfg.Model) with { BackboneNorm = norm, EosCoef = 1, Dropout = 0 } };
    }

    CocoDataset Train() => CocoDataset.Load(SyntheticShapes.AnnotationFile(_data.Root, "train"), SyntheticShapes.ImageDirectory(_data.Root, "train"));

    // the validation resize (every synthetic image stays 96×96, so no batch pads differently from another)
    static DataLoader Loader(CocoDataset ds, int batch, int rank, int world) => new(ds, DetrTransforms.Val(96, 128), new DataLoaderOptions
    {
        BatchSize = batch, Shuffle = true, DropLast = true, Seed = 5, Workers = 1, Rank = rank, WorldSize = world,
    });

    static (float[][] state, long reductions) TrainSteps(IDetector detector, DataLoader loader, ProcessGroup? group, int accumulate = 1,
        long bucketBytes = GradientAverager.DefaultBucketBytes)
    {
        detector.Module.train();
        using var optimizer = new optim.SGD(detector.Module.parameters().Where(p => p.requires_grad), lr: 0.05);
        var step = new TrainingStep(detector, optimizer, clipMaxNorm: 0.1, group, bucketBytes: bucketBytes);
        long done = 0;
        for (int epoch = 0; done < Steps * accumulate; epoch++)
            foreach (var batch in loader.Epoch(epoch))
            {
                using (batch) step.Run(batch, ++done, accumulate);
                if (done == Steps * accumulate) break;
            }
        step.Averager?.Dispose();
        return (Weights(detector), step.Averager?.Reductions ?? 0);
    }

    // the parameters, then the float buffers (BatchNorm's running statistics)
    static float[][] Weights(IDetector d) => d.Module.parameters().Concat(d.Module.buffers().Where(b => b.dtype == ScalarType.Float32))
        .Select(p => p.data<float>()).ToArray();

    static double MaxDiff(float[][] a, float[][] b) => a.Zip(b).Max(p => p.First.Zip(p.Second).Max(x => Math.Abs((double)x.First - x.Second)));

    [Fact]
    public void TwoRanksOfBatchFourMatchOneProcessOfBatchEight()
        => Compare(Config(), batchPerRank: 4, accumulate: 1, GradientAverager.DefaultBucketBytes, tolerance: 1e-6);

    // 64 KiB buckets: many, most started from the hooks during backward
    [Fact]
    public void WithGradientAccumulationTheRanksReduceOncePerOptimizerStep()
        => Compare(Config(), batchPerRank: 2, accumulate: 2, 64L << 10, tolerance: 1e-6);

    // trainable BatchNorm with runtime.sync_batchnorm true: SyncBatchNorm over the 2 ranks; the running statistics are compared too
    [Fact]
    public void TrainableBatchNormSynchronisedOverTheRanksMatchesOneProcess()
        => Compare(Config(ResNetNorm.BatchNorm) is var c ? c with { Runtime = c.Runtime with { SyncBatchnorm = "true" } } : null!, batchPerRank: 4, accumulate: 1, GradientAverager.DefaultBucketBytes, tolerance: 1e-6, syncBatchNorm: true);

    // 1 process × (2 × batchPerRank) against 2 ranks × batchPerRank, the same batches of the same shuffled order
    void Compare(RunConfig cfg, int batchPerRank, int accumulate, long bucketBytes, double tolerance, bool syncBatchNorm = false)
    {
        var ds = Train();
        int classes = ds.CategoryNames.Count;
        torch.manual_seed(5);
        using var single = DetectorFactory.Build(cfg, classes);
        var initial = Weights(single);
        var (expected, _) = TrainSteps(single, Loader(ds, 2 * batchPerRank, 0, 1), null, accumulate);

        int port = Loopback.FreePort();
        var contexts = new DistributedContext?[2];
        var detectors = new IDetector[2];
        for (int r = 0; r < 2; r++)
        {
            int rank = r;
            torch.manual_seed(5 + 10 * r); // rank 1 starts elsewhere: the broadcast from rank 0 must fix that
            detectors[r] = DetectorFactory.Build(cfg, classes, reduceNumBoxes: v => contexts[rank]!.ReduceNumBoxes(v));
        }
        try
        {
            var ranks = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
            {
                var ctx = contexts[r] = DistributedContext.Join(new DistributedSettings(r, 2, r, "127.0.0.1", port), TimeSpan.FromSeconds(30));
                var m = detectors[r].Module;
                ctx.BroadcastFromMain(m.parameters().Concat(m.buffers()).ToList());
                int synced = ctx.SyncBatchNorm(m, cfg.Runtime.SyncBatchnorm);
                Assert.Equal(syncBatchNorm, synced > 0); // auto (the other cases): off, as PyTorch's DDP
                return TrainSteps(detectors[r], Loader(ds, batchPerRank, r, 2), ctx.Group, accumulate, bucketBytes);
            }, TaskCreationOptions.LongRunning)).ToArray();
            Assert.True(Task.WaitAll(ranks, TimeSpan.FromMinutes(3)), "the two ranks did not finish");
            var ((w0, n0), (w1, n1)) = (ranks[0].Result, ranks[1].Result);

            Assert.True(MaxDiff(initial, expected) > 1e-3, "the steps did not change the weights: the comparison would prove nothing");
            Assert.Equal(0, MaxDiff(w0, w1)); // every rank applies the same averaged gradient
            Assert.Equal(Steps, n0);           // one reduction per optimizer step, none for the batches accumulated before it
            Assert.Equal(Steps, n1);
            double diff = MaxDiff(w0, expected);
            Assert.True(diff < tolerance, $"2 ranks × batch {batchPerRank} differ from 1 × batch {2 * batchPerRank} by up to {diff:g3} after {Steps} steps");
        }
        finally
        {
            foreach (var d in detectors) d?.Dispose();
            foreach (var c in contexts) c?.Dispose();
        }
    }


    public void Dispose() => _data.Dispose();
}
