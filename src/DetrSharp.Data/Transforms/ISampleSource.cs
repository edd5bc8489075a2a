namespace DetrSharp.Data.Transforms;

/// <summary>
/// The samples of a dataset as stored (decoded, not transformed), for the transforms that combine an image with others
/// of its dataset (YOLO's mosaic and mixup, as ultralytics' mix transforms hold their dataset).
/// </summary>
public interface ISampleSource
{
    /// <summary>The number of samples.</summary>
    int Count { get; }

    /// <summary>The sample at <paramref name="position"/> (0 ≤ position &lt; <see cref="Count"/>), in fresh arrays the caller may change.</summary>
    DetectionSample Load(int position);
}
