using DetrSharp.Data.Synthetic;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// One step of the augmentation pipeline. Randomness comes only from <paramref name="rng"/>, which the
/// loader seeds per (seed, epoch, image), so a run repeats exactly whatever thread does the work.
/// </summary>
public interface IDetectionTransform
{
    DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng);
}

/// <summary>Applies transforms in order.</summary>
public sealed class Compose(params IDetectionTransform[] steps) : IDetectionTransform
{
    public IReadOnlyList<IDetectionTransform> Steps { get; } = steps;

    public DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng)
    {
        foreach (var t in Steps) sample = t.Apply(sample, ref rng);
        return sample;
    }
}

/// <summary>With probability p the first transform, else the second (DETR's RandomSelect).</summary>
public sealed class RandomSelect(IDetectionTransform first, IDetectionTransform second, double p = 0.5) : IDetectionTransform
{
    public DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng)
        => rng.NextDouble() < p ? first.Apply(sample, ref rng) : second.Apply(sample, ref rng);
}
