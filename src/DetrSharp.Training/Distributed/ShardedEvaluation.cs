using DetrSharp.Data.Loading;
using DetrSharp.Evaluation;

namespace DetrSharp.Training.Distributed;

/// <summary>
/// Evaluation in a distributed run, as torch's references do it: each rank predicts its share of the validation set
/// (the loader's DistributedSampler share, unshuffled; the images a rank loads only as padding are dropped by
/// <see cref="DetectionEvaluator.Detect"/>), the detections are gathered to rank 0 in the dataset's order, and rank 0
/// alone scores them, so its result equals one process evaluating the whole set with the same weights.
/// </summary>
public static class ShardedEvaluation
{

    /// <summary>Rank 0: the COCO result of all ranks' detections. Other ranks: null, once their share is sent.</summary>
    /// <param name="loader">this rank's share of the validation set (Rank and WorldSize of the group, no shuffle)</param>
    public static EvalResult? Run(DistributedContext dist, IDetector detector, DataLoader loader, Func<CocoGroundTruth> groundTruth,
        RunPrecision? precision = null, Action<int, int>? progress = null)
    {
        if (loader.Options.WorldSize != dist.WorldSize || loader.Options.Rank != dist.Rank || loader.Options.Shuffle)
            throw new ArgumentException($"rank {dist.Rank}: the validation loader must hold this rank's unshuffled share of {dist.WorldSize} " +
                                        $"(it has rank {loader.Options.Rank} of {loader.Options.WorldSize}, shuffle {loader.Options.Shuffle})", nameof(loader));
        var mine = DetectionEvaluator.Detect(detector, loader, progress, precision);
        // the gather is bounded by the group's timeout: first wait, without it, for the slowest rank's share
        dist.AllDone("sharded-eval");
        var dataset = loader.Dataset;
        var all = ByteGather.AllGather(dist.Group, DetectionBytes.Encode(mine, dataset.IndexOfImageId));
        if (!dist.IsMain) return null;
        // one process's order: by image position (each rank's images came in increasing positions), each image's own
        // detections in the detector's order (a stable sort), so score ties resolve as in one process
        var merged = all.SelectMany(DetectionBytes.Decode).OrderBy(d => d.Position).Select(d => d.Detection).ToList();
        return DetectionEvaluator.Score(groundTruth(), merged, dataset.Categories) with { Precision = precision?.Name ?? "fp32" };
    }
}
