using DetrSharp.Data.Synthetic;

namespace DetrSharp.Data.Transforms;

/// <summary>
/// The geometric part of ultralytics' v8_transforms (its pre_transform, which MixUp also applies to its second image):
/// the image resized as load_image does, then with probability <paramref name="mosaicP"/> a <see cref="Mosaic"/>
/// followed by <see cref="RandomPerspective"/> with border −size/2, otherwise a <see cref="LetterBox"/> followed by
/// <see cref="RandomPerspective"/> with no border. Either way the output is size × size.
/// </summary>
public sealed class YoloPreTransform(Mosaic? mosaic, double mosaicP, LetterBox letterBox, RandomPerspective perspective) : IDetectionTransform
{
    public DetectionSample Apply(DetectionSample sample, ref Xoshiro256StarStar rng)
    {
        sample = LongSideResize.Resize(sample, letterBox.Size);
        if (mosaic != null && rng.NextDouble() < mosaicP)
            return perspective.Apply(mosaic.Apply(sample, ref rng), mosaic.Border, ref rng);
        return perspective.Apply(letterBox.Apply(sample, ref rng), 0, ref rng);
    }
}
