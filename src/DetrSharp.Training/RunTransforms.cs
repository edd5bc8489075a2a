using DetrSharp.Data.Coco;
using DetrSharp.Data.Transforms;

namespace DetrSharp.Training;

/// <summary>
/// The run's augmentation, chosen by data.augment: DETR's pipelines, or ultralytics' (training through mosaic with the
/// training set as its source, close_mosaic by epoch; validation and prediction letterboxed to data.img_size).
/// </summary>
public static class RunTransforms
{
    /// <summary>The training transform of each epoch (counted from 0); close_mosaic counts back from <paramref name="plan"/>'s
    /// epochs when given (a time-limited run's plan changes as it goes; once closed, mosaic stays closed), else from schedule.epochs.</summary>
    public static Func<int, IDetectionTransform> Train(RunConfig run, CocoDataset train, EpochPlan? plan = null)
    {
        var d = run.Data;
        if (d.Augment == AugmentKind.Yolo)
        {
            var pipeline = YoloTransforms.Train(d.YoloAugment, new CocoSampleSource(train), run.Schedule.Epochs);
            return plan == null ? pipeline.ForEpoch : epoch => pipeline.Pipeline(plan.InLastPart(epoch, d.CloseMosaic));
        }
        var detr = DetrTransforms.Train(d.TrainScales, d.MaxSize, d.CropResize, d.CropMin, d.CropMax);
        return _ => detr;
    }

    /// <summary>Validation, eval and predict.</summary>
    public static IDetectionTransform Val(DataConfig d)
        => d.Augment == AugmentKind.Yolo ? YoloTransforms.Val(d.ImgSize) : DetrTransforms.Val(d.ValSize, d.MaxSize);
}
