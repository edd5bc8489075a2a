using DetrSharp.Data.Coco;
using DetrSharp.Data.Imaging;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Transforms;
using DetrSharp.Evaluation;

namespace DetrSharp.Training;

/// <summary>
/// The validation split alone, as `eval` needs it: a COCO folder with only annotations/instances_val[2017].json and
/// its images is enough (no training split), or a YOLO dataset (<see cref="DatasetSource"/>) with only its val split.
/// </summary>
public sealed class ValidationData
{
    public required CocoDataset Val { get; init; }
    /// <summary>The file the split was read from: its COCO annotations, or the YOLO data.yaml.</summary>
    public required string Annotations { get; init; }
    /// <summary>Builds the ground truth; null reads <see cref="Annotations"/> as a COCO file.</summary>
    public Func<CocoGroundTruth>? GroundTruthSource { get; init; }
    public required DataLoader Loader { get; init; }

    /// <summary>Category names in label order.</summary>
    public IReadOnlyList<string> ClassNames => Val.CategoryNames;

    public CocoGroundTruth GroundTruth => _gt ??= GroundTruthSource?.Invoke() ?? CocoGroundTruth.Load(Annotations);
    CocoGroundTruth? _gt;

    /// <summary>
    /// Opens the validation split of <paramref name="root"/> with the run's data settings. With
    /// <paramref name="skipUnreadable"/> an unreadable image is left out of the evaluation and listed in the loader's
    /// <see cref="DataLoader.Skipped"/> (its ground truth counts as missed); otherwise every header is checked first.
    /// </summary>
    public static ValidationData Open(string root, RunConfig run, bool skipUnreadable = false)
    {
        var source = DatasetSource.Detect(root);
        var config = run.Data;
        Action<string> warn = w => Console.Error.WriteLine($"warning: {w}");
        var limits = new ImageLimits { MaxPixels = config.MaxImagePixels, Strict = config.Strict, OnWarning = warn };
        bool skip = skipUnreadable || config.SkipBadSamples;
        // a YOLO split reads every image header when opened: an unreadable one is a bad record there (left out under data.skip_bad_samples)
        var split = source.Open("val", new CocoDatasetOptions { SkipInvalid = config.SkipBadSamples, ImageLimits = limits }, warn);
        var val = split.Dataset;
        if (!skip && source.Yolo is null) TrainingData.CheckHeaders(val, limits);
        return new ValidationData
        {
            Val = val,
            Annotations = split.Source,
            GroundTruthSource = split.GroundTruth,
            Loader = new DataLoader(val, RunTransforms.Val(config), new DataLoaderOptions
            {
                BatchSize = config.BatchSize, Shuffle = false, Seed = run.Runtime.Seed, Workers = run.Runtime.Workers,
                SkipBadSamples = skip, ImageLimits = limits,
            }),
        };
    }
}
