namespace DetrSharp.Evaluation;

/// <summary>An object-area range; both bounds are inclusive, so an area of exactly 1024 is both small and medium.</summary>
/// <param name="Min">Smallest area in the range.</param>
/// <param name="Max">Largest area in the range.</param>
public readonly record struct CocoAreaRange(double Min, double Max)
{
    /// <summary>Whether an area lies outside the range (NaN lies inside, as in pycocotools' comparisons).</summary>
    public bool Excludes(double area) => area < Min || area > Max;
}
