namespace DetrSharp.Reporting;

/// <summary>The file names of the pictures and the report a run folder holds, in the order the report shows them.</summary>
public static class RunPictureNames
{
    public const string Results = "results.png";
    public const string PrCurve = "PR_curve.png";
    public const string F1Curve = "F1_curve.png";
    public const string ConfusionMatrix = "confusion_matrix.png";
    public const string Labels = "labels.png";
    public const string TrainBatch = "train_batch0.png";
    public const string ValBatchPred = "val_batch0_pred.png";
    public const string Report = "report.html";

    /// <summary>Every picture, in report order.</summary>
    public static IReadOnlyList<string> All { get; } = [Results, PrCurve, F1Curve, ConfusionMatrix, Labels, TrainBatch, ValBatchPred];
}
