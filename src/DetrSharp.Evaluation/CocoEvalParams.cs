namespace DetrSharp.Evaluation;

/// <summary>
/// Evaluation parameters with pycocotools' <c>Params(iouType="bbox")</c> defaults. Null
/// <see cref="ImgIds"/> / <see cref="CatIds"/> mean the ground truth's sorted image and category ids.
/// </summary>
public sealed class CocoEvalParams
{
    /// <summary>Only <c>"bbox"</c> is supported.</summary>
    public string IouType { get; init; } = "bbox";

    /// <summary>IoU thresholds; default <c>np.linspace(.5, .95, 10)</c>, values exact (<c>[8]</c> is 0.8999999999999999).</summary>
    public double[] IouThrs { get; init; } = DefaultIouThrs();

    /// <summary>Recall points; default <c>np.linspace(0, 1, 101)</c> (<c>[35]</c> is 0.35000000000000003).</summary>
    public double[] RecThrs { get; init; } = DefaultRecThrs();

    /// <summary>Detections kept per image (and category when <see cref="UseCats"/>); sorted ascending by evaluation. Default 1, 10, 100.</summary>
    public int[] MaxDets { get; init; } = [1, 10, 100];

    /// <summary>Area ranges; default all, small, medium, large (<c>[0, 1e10]</c>, <c>[0, 32²]</c>, <c>[32², 96²]</c>, <c>[96², 1e10]</c>).</summary>
    public CocoAreaRange[] AreaRng { get; init; } =
        [new(0, 1e10), new(0, 32 * 32), new(32 * 32, 96 * 96), new(96 * 96, 1e10)];

    /// <summary>Labels of <see cref="AreaRng"/>; the summary looks ranges up by these names.</summary>
    public string[] AreaRngLbl { get; init; } = ["all", "small", "medium", "large"];

    /// <summary>Whether matching is per category (1) or category-agnostic (0).</summary>
    public bool UseCats { get; init; } = true;

    /// <summary>Images to evaluate; null = every image of the ground truth.</summary>
    public long[]? ImgIds { get; init; }

    /// <summary>Categories to evaluate; null = every category of the ground truth.</summary>
    public long[]? CatIds { get; init; }

    /// <summary><c>np.linspace(.5, 0.95, 10)</c>.</summary>
    public static double[] DefaultIouThrs() => NumpyLinspace.Values(0.5, 0.95, 10);

    /// <summary><c>np.linspace(.0, 1.00, 101)</c>.</summary>
    public static double[] DefaultRecThrs() => NumpyLinspace.Values(0.0, 1.0, 101);

    /// <summary>
    /// The parameters as <c>COCOeval.evaluate</c> normalises them: image ids sorted and unique,
    /// category ids sorted and unique when <see cref="UseCats"/> (kept as given otherwise), maxDets sorted.
    /// </summary>
    /// <exception cref="NotSupportedException">An iouType other than bbox.</exception>
    /// <exception cref="ArgumentException">Empty or negative maxDets, mismatched area labels, or missing thresholds.</exception>
    public CocoEvalParams Normalized(CocoGroundTruth groundTruth)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        if (IouType != "bbox")
            throw new NotSupportedException($"CocoEvalParams.IouType '{IouType}' is not supported; only 'bbox' is");
        if (IouThrs is null || IouThrs.Length == 0) throw new ArgumentException("CocoEvalParams.IouThrs is empty", nameof(IouThrs));
        if (RecThrs is null || RecThrs.Length == 0) throw new ArgumentException("CocoEvalParams.RecThrs is empty", nameof(RecThrs));
        if (MaxDets is null || MaxDets.Length == 0) throw new ArgumentException("CocoEvalParams.MaxDets is empty", nameof(MaxDets));
        foreach (int m in MaxDets)
            if (m < 0) throw new ArgumentException($"CocoEvalParams.MaxDets holds {m}; each must be >= 0", nameof(MaxDets));
        if (AreaRng is null || AreaRngLbl is null || AreaRng.Length != AreaRngLbl.Length)
            throw new ArgumentException(
                $"CocoEvalParams.AreaRng has {AreaRng?.Length ?? 0} ranges but AreaRngLbl {AreaRngLbl?.Length ?? 0} labels; they must pair up",
                nameof(AreaRngLbl));

        long[] imgIds = (ImgIds ?? groundTruth.ImageIds.ToArray()).Distinct().ToArray();
        Array.Sort(imgIds);
        long[] catIds = (CatIds ?? groundTruth.CategoryIds.ToArray()).ToArray();
        if (UseCats)
        {
            catIds = catIds.Distinct().ToArray();
            Array.Sort(catIds);
        }
        int[] maxDets = (int[])MaxDets.Clone();
        Array.Sort(maxDets);
        return new CocoEvalParams
        {
            IouType = IouType,
            IouThrs = (double[])IouThrs.Clone(),
            RecThrs = (double[])RecThrs.Clone(),
            MaxDets = maxDets,
            AreaRng = (CocoAreaRange[])AreaRng.Clone(),
            AreaRngLbl = (string[])AreaRngLbl.Clone(),
            UseCats = UseCats,
            ImgIds = imgIds,
            CatIds = catIds,
        };
    }
}
