namespace DetrSharp.Data.Transforms;

/// <summary>DETR's reference training and validation pipelines (datasets/coco.py make_coco_transforms), sizes configurable.</summary>
public static class DetrTransforms
{
    /// <summary>COCO scales 480..800 step 32, max 1333, crop path 400/500/600 then 384..600.</summary>
    public static IDetectionTransform CocoTrain() => Train(Enumerable.Range(0, 11).Select(i => 480 + 32 * i).ToArray(), 1333, new[] { 400, 500, 600 }, 384, 600);

    public static IDetectionTransform CocoVal() => Val(800, 1333);

    /// <summary>
    /// Flip, then either a multi-scale resize or resize → random crop → multi-scale resize
    /// (Normalize happens when the batch is made).
    /// </summary>
    public static IDetectionTransform Train(int[] scales, int maxSize, int[] cropResize, int cropMin, int cropMax) => new Compose(
        new RandomHorizontalFlip(),
        new RandomSelect(
            new RandomResize(scales, maxSize),
            new Compose(new RandomResize(cropResize), new RandomSizeCrop(cropMin, cropMax), new RandomResize(scales, maxSize))));

    public static IDetectionTransform Val(int size, int maxSize) => new RandomResize(new[] { size }, maxSize);
}
