using DetrSharp.Data.Coco;
using DetrSharp.Data.Imaging;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Transforms;
using DetrSharp.Evaluation;

namespace DetrSharp.Training;

/// <summary>
/// The validation split alone, as `eval` needs it: a COCO folder with only annotations/instances_val[2017].json and
/// its images is enough (no training split).
/// </summary>
public sealed class ValidationData
{
    public required CocoDataset Val { get; init; }
    public required string Annotations { get; init; }
    public required DataLoader Loader { get; init; }

    /// <summary>Category names in label order.</summary>
    public IReadOnlyList<string> ClassNames => Val.CategoryNames;

    public CocoGroundTruth GroundTruth => _gt ??= CocoGroundTruth.Load(Annotations);
    CocoGroundTruth? _gt;

    /// <summary>
    /// Opens the validation split of <paramref name="root"/> with the run's data settings. With
    /// <paramref name="skipUnreadable"/> an unreadable image is left out of the evaluation and listed in the loader's
    /// <see cref="DataLoader.Skipped"/> (its ground truth counts as missed); otherwise every header is checked first.
    /// </summary>
    public static ValidationData Open(string root, RunConfig run, bool skipUnreadable = false)
    {
        var (annotations, images) = TrainingData.Locate(root, "val");
        var config = run.Data;
        var limits = new ImageLimits { MaxPixels = config.MaxImagePixels, Strict = config.Strict, OnWarning = w => Console.Error.WriteLine($"warning: {w}") };
        var val = CocoDataset.Load(annotations, images, new CocoDatasetOptions { SkipInvalid = config.SkipBadSamples, ImageLimits = limits });
        bool skip = skipUnreadable || config.SkipBadSamples;
        if (!skip) TrainingData.CheckHeaders(val, limits);
        return new ValidationData
        {
            Val = val,
            Annotations = annotations,
            Loader = new DataLoader(val, RunTransforms.Val(config), new DataLoaderOptions
            {
                BatchSize = config.BatchSize, Shuffle = false, Seed = run.Runtime.Seed, Workers = run.Runtime.Workers,
                SkipBadSamples = skip, ImageLimits = limits,
            }),
        };
    }
}
