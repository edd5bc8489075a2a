namespace DetrSharp.Data.Transforms;

/// <summary>
/// ultralytics' detection pipelines: training (v8_transforms: mosaic or letterbox, random perspective, mixup, HSV,
/// left-right flip; mosaic and mixup off for the last close_mosaic epochs) and validation / prediction (letterbox to
/// the image size, nothing random).
/// </summary>
public static class YoloTransforms
{
    public static IDetectionTransform Val(int imgSize) => new LetterBox(imgSize);

    /// <param name="options">the settings</param>
    /// <param name="source">the training set, for mosaic's and mixup's other images</param>
    /// <param name="epochs">the run's epochs, for close_mosaic</param>
    public static YoloTrainPipeline Train(YoloAugmentOptions options, ISampleSource source, int epochs) => new(options, source, epochs);
}
