namespace DetrSharp.Evaluation;

/// <summary>
/// One entry of pycocotools' <c>evalImgs</c>: the matching of one image and category (category −1 when
/// useCats = 0) for one area range, with the detections cut at maxDets[-1].
/// </summary>
public sealed class CocoImageEvaluation
{
    /// <summary>The image.</summary>
    public required long ImageId { get; init; }
    /// <summary>The category, or −1 when useCats = 0.</summary>
    public required long CategoryId { get; init; }
    /// <summary>The area range.</summary>
    public required CocoAreaRange AreaRange { get; init; }
    /// <summary>maxDets[-1], where detections were cut.</summary>
    public required int MaxDet { get; init; }
    /// <summary>Detection ids, by descending score. // [D]</summary>
    public required long[] DtIds { get; init; }
    /// <summary>Gt annotation ids, ignored ones last. // [G]</summary>
    public required long[] GtIds { get; init; }
    /// <summary>Id of the gt each detection matched, 0 if none. // [T, D]</summary>
    public required long[,] DtMatches { get; init; }
    /// <summary>Id of the detection each gt matched, 0 if none. // [T, G]</summary>
    public required long[,] GtMatches { get; init; }
    /// <summary>Detection scores. // [D]</summary>
    public required double[] DtScores { get; init; }
    /// <summary>Whether each gt is ignored (crowd or outside the area range). // [G]</summary>
    public required bool[] GtIgnore { get; init; }
    /// <summary>Whether each detection is ignored at each threshold. // [T, D]</summary>
    public required bool[,] DtIgnore { get; init; }
}
