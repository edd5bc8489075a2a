using System.Collections.Concurrent;
using DetrSharp.Data.Imaging;
using DetrSharp.Data.Coco;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Transforms;
using DetrSharp.Evaluation;

namespace DetrSharp.Training;

/// <summary>The datasets and loaders of a run, from a COCO folder, a YOLO dataset (<see cref="DatasetSource"/>) or the synthetic set.</summary>
public sealed class TrainingData
{
    public required CocoDataset Train { get; init; }
    public required CocoDataset Val { get; init; }
    /// <summary>The file the validation split was read from: its COCO annotations, or the YOLO data.yaml.</summary>
    public required string ValAnnotations { get; init; }
    /// <summary>Builds the validation ground truth; null reads <see cref="ValAnnotations"/> as a COCO file.</summary>
    public Func<CocoGroundTruth>? ValGroundTruthSource { get; init; }
    public required DataLoader TrainLoader { get; init; }
    public required DataLoader ValLoader { get; init; }
    /// <summary>The epochs the run plans (schedule.epochs; a time-limited per-epoch run re-plans them): the trainer, the
    /// learning-rate schedule and the training augmentation's close_mosaic read the same one.</summary>
    public EpochPlan? Plan { get; init; }

    /// <summary>Warnings of image decoding ("FILE: corrupt JPEG data, decoded anyway: ..."), for the trainer to report.</summary>
    public ConcurrentQueue<string> Warnings => _warnings;
    ConcurrentQueue<string> _warnings = new();

    /// <summary>Category names in label order.</summary>
    public IReadOnlyList<string> ClassNames => Train.CategoryNames;

    CocoGroundTruth? _gt;
    public CocoGroundTruth ValGroundTruth => _gt ??= ValGroundTruthSource?.Invoke() ?? CocoGroundTruth.Load(ValAnnotations);

    /// <summary>Finds instances_{split}.json / instances_{split}2017.json and the image folder of a split.</summary>
    public static (string annotations, string images) Locate(string root, string split)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"dataset folder not found: {root}");
        foreach (var suffix in new[] { "", "2017" })
        {
            var ann = Path.Combine(root, "annotations", $"instances_{split}{suffix}.json");
            var img = Path.Combine(root, $"{split}{suffix}");
            if (File.Exists(ann)) return (ann, Directory.Exists(img) ? img : Path.Combine(root, "images", $"{split}{suffix}"));
        }
        throw new FileNotFoundException($"{root}: no annotations/instances_{split}.json or annotations/instances_{split}2017.json");
    }

    TrainingData WithWarnings(ConcurrentQueue<string> warnings)
    {
        _warnings = warnings;
        return this;
    }

    /// <summary>Reads every image's header: each must be a JPEG or PNG within the limits, of its record's size.</summary>
    /// <exception cref="ImageDecodeException">the first unreadable image, naming the file</exception>
    /// <exception cref="DatasetException">the first image whose size differs from its record</exception>
    public static void CheckHeaders(CocoDataset dataset, ImageLimits limits)
    {
        for (int i = 0; i < dataset.Count; i++)
        {
            var r = dataset.GetRecord(i);
            var (w, h) = ImageCodec.ReadSize(r.FilePath, limits);
            if (w != r.Width || h != r.Height)
                throw new DatasetException($"{r.FilePath}: image is {w}x{h} but the annotations say {r.Width}x{r.Height} (image id {r.ImageId})", r.FilePath, r.ImageId);
        }
    }

    /// <param name="distributed">in a distributed run, this rank's place: its training and validation loaders load its
    /// share only (the validation share unshuffled: the ranks' detections are gathered to rank 0, which scores them)</param>
    public static TrainingData Open(string root, RunConfig run, Distributed.DistributedSettings? distributed = null)
    {
        var source = DatasetSource.Detect(root);
        var config = run.Data;
        var warnings = new ConcurrentQueue<string>();
        var limits = new ImageLimits { MaxPixels = config.MaxImagePixels, Strict = config.Strict, OnWarning = warnings.Enqueue };
        var dsOptions = new CocoDatasetOptions { SkipInvalid = config.SkipBadSamples, ImageLimits = limits };
        var trainSplit = source.Open("train", dsOptions, warnings.Enqueue);
        var valSplit = source.Open("val", dsOptions, warnings.Enqueue);
        var (train, val) = (trainSplit.Dataset, valSplit.Dataset);
        if (!train.CategoryNames.SequenceEqual(val.CategoryNames))
            throw new DatasetException($"{valSplit.Source}: categories differ from {trainSplit.Source}", valSplit.Source);
        // a bad validation image would otherwise stop the run at its first evaluation, after hours of training
        // (a YOLO split's headers were all read when it was opened)
        if (!config.SkipBadSamples && source.Yolo is null) CheckHeaders(val, limits);
        var plan = new EpochPlan(run.Schedule.Epochs);
        var trainT = RunTransforms.Train(run, train, plan);
        var valT = RunTransforms.Val(config);
        return new TrainingData
        {
            Train = train,
            Val = val,
            ValAnnotations = valSplit.Source,
            Plan = plan,
            ValGroundTruthSource = valSplit.GroundTruth,
            TrainLoader = new DataLoader(train, trainT, new DataLoaderOptions
            {
                BatchSize = config.BatchSize, Shuffle = true, DropLast = train.Count >= config.BatchSize, Seed = run.Runtime.Seed,
                Workers = run.Runtime.Workers, SkipBadSamples = config.SkipBadSamples, ImageLimits = limits,
                Rank = distributed?.Rank ?? 0, WorldSize = distributed?.WorldSize ?? 1,
            }),
            ValLoader = new DataLoader(val, valT, new DataLoaderOptions
            {
                BatchSize = config.BatchSize, Shuffle = false, Seed = run.Runtime.Seed, Workers = run.Runtime.Workers, SkipBadSamples = config.SkipBadSamples,
                ImageLimits = limits, Rank = distributed?.Rank ?? 0, WorldSize = distributed?.WorldSize ?? 1,
            }),
        }.WithWarnings(warnings);
    }
}
