namespace DetrSharp.Evaluation;

/// <summary>
/// The arrays of <c>COCOeval.accumulate</c> (its <c>eval</c> dict). −1 marks a (category, area range)
/// with no non-ignored gt, or no cell at all; a category with gts but no detections gets 0.
/// </summary>
public sealed class CocoAccumulation
{
    /// <summary>The normalised parameters the arrays were computed with.</summary>
    public required CocoEvalParams Params { get; init; }

    /// <summary>The category ids along the K axis: the evaluated catIds, or the single -1 when useCats = 0.</summary>
    public required IReadOnlyList<long> CategoryIds { get; init; }

    /// <summary>Interpolated precision at each recall point. // [T iouThrs, R recThrs, K categories, A areaRng, M maxDets]</summary>
    public required double[,,,,] Precision { get; init; }

    /// <summary>Final recall. // [T, K, A, M]</summary>
    public required double[,,,] Recall { get; init; }

    /// <summary>The score of the detection each precision value was read at. // [T, R, K, A, M]</summary>
    public required double[,,,,] Scores { get; init; }
}
