using DetrSharp.Data.Coco;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Transforms;
using DetrSharp.Evaluation;

namespace DetrSharp.Training;

/// <summary>The datasets and loaders of a run, from a COCO folder or the synthetic set.</summary>
public sealed class TrainingData
{
    public required CocoDataset Train { get; init; }
    public required CocoDataset Val { get; init; }
    public required string ValAnnotations { get; init; }
    public required DataLoader TrainLoader { get; init; }
    public required DataLoader ValLoader { get; init; }

    /// <summary>Category names in label order.</summary>
    public IReadOnlyList<string> ClassNames => Train.CategoryNames;

    CocoGroundTruth? _gt;
    public CocoGroundTruth ValGroundTruth => _gt ??= CocoGroundTruth.Load(ValAnnotations);

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

    public static TrainingData Open(string root, RunConfig run)
    {
        var (trainAnn, trainImg) = Locate(root, "train");
        var (valAnn, valImg) = Locate(root, "val");
        var config = run.Data;
        var dsOptions = new CocoDatasetOptions { SkipInvalid = config.SkipBadSamples };
        var train = CocoDataset.Load(trainAnn, trainImg, dsOptions);
        var val = CocoDataset.Load(valAnn, valImg, dsOptions);
        if (!train.CategoryNames.SequenceEqual(val.CategoryNames))
            throw new DatasetException($"{valAnn}: categories differ from {trainAnn}", valAnn);
        var trainT = DetrTransforms.Train(config.TrainScales, config.MaxSize, config.CropResize, config.CropMin, config.CropMax);
        var valT = DetrTransforms.Val(config.ValSize, config.MaxSize);
        return new TrainingData
        {
            Train = train,
            Val = val,
            ValAnnotations = valAnn,
            TrainLoader = new DataLoader(train, trainT, new DataLoaderOptions
            {
                BatchSize = config.BatchSize, Shuffle = true, DropLast = train.Count >= config.BatchSize, Seed = run.Runtime.Seed,
                Workers = run.Runtime.Workers, SkipBadSamples = config.SkipBadSamples,
            }),
            ValLoader = new DataLoader(val, valT, new DataLoaderOptions
            {
                BatchSize = config.BatchSize, Shuffle = false, Seed = run.Runtime.Seed, Workers = run.Runtime.Workers, SkipBadSamples = config.SkipBadSamples,
            }),
        };
    }
}
