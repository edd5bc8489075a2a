using DetrSharp.Data.Coco;
using DetrSharp.Data.Drawing;
using DetrSharp.Data.Imaging;
using DetrSharp.Evaluation;
using DetrSharp.Reporting;

namespace DetrSharp.Training;

/// <summary>
/// The pictures of one evaluation: PR_curve.png and F1_curve.png from COCOeval's arrays, confusion_matrix.png over
/// the validation set and val_batch0_pred.png (the first validation images, labels beside predictions).
/// </summary>
public static class ValidationPictures
{
    /// <summary>Detections scoring above this count in the confusion matrix and are drawn (ultralytics' 0.25).</summary>
    public const double Confidence = 0.25;

    /// <summary>Matches count at IoU above this in the confusion matrix.</summary>
    public const double Iou = 0.5;

    public static void Write(string runDirectory, CocoDataset val, EvalResult result, int batchSize)
    {
        var names = val.CategoryNames;
        string NameOf(long categoryId) => val.Categories.TryGetLabel((int)categoryId, out var l) ? names[l] : categoryId.ToString();
        var curves = result.Accumulation != null ? PrecisionRecallCurves.At(result.Accumulation, 0.5) : [];
        CurvePlots.WritePrecisionRecall(Path.Combine(runDirectory, RunPictureNames.PrCurve), curves, NameOf);
        CurvePlots.WriteF1(Path.Combine(runDirectory, RunPictureNames.F1Curve), curves, NameOf);

        var byImage = result.Detections.ToLookup(d => d.ImageId);
        var matrix = new ConfusionMatrix(names.Count, Confidence, Iou);
        for (int i = 0; i < val.Count; i++)
        {
            var record = val.GetRecord(i);
            matrix.Add(Predictions(byImage[record.ImageId], val.Categories), Truth(record));
        }
        ConfusionMatrixPlot.Write(Path.Combine(runDirectory, RunPictureNames.ConfusionMatrix), matrix, names);

        var tiles = new List<MosaicTile>();
        for (int i = 0; i < Math.Min(Math.Min(batchSize, 16), val.Count); i++)
        {
            var record = val.GetRecord(i);
            RgbImage image = val.LoadImage(i);
            var truth = Enumerable.Range(0, record.Count).Select(k => new LabeledBox(record.Boxes[k * 4], record.Boxes[k * 4 + 1],
                record.Boxes[k * 4 + 2], record.Boxes[k * 4 + 3], record.Labels[k], names[record.Labels[k]])).ToList();
            var predicted = new List<LabeledBox>();
            foreach (var d in byImage[record.ImageId])
                if (d.Score > Confidence && val.Categories.TryGetLabel((int)d.CategoryId, out var label))
                    predicted.Add(new LabeledBox((float)d.Box.X, (float)d.Box.Y, (float)(d.Box.X + d.Box.Width), (float)(d.Box.Y + d.Box.Height),
                        label, $"{names[label]} {d.Score:F2}"));
            tiles.Add(new MosaicTile(image, truth, $"labels {Path.GetFileName(record.FileName)}"));
            tiles.Add(new MosaicTile(image, predicted, "predictions"));
        }
        if (tiles.Count > 0)
            ImageCodec.WritePng(Path.Combine(runDirectory, RunPictureNames.ValBatchPred), Mosaic.Compose(tiles, columns: 4), compressionLevel: 1);
    }

    static List<ClassBox> Predictions(IEnumerable<CocoDetection> detections, CocoCategories categories)
        => detections.Where(d => categories.TryGetLabel((int)d.CategoryId, out _))
            .Select(d => new ClassBox(d.Box, categories.LabelOf((int)d.CategoryId), d.Score)).ToList();

    static List<ClassBox> Truth(CocoRecord record)
        => Enumerable.Range(0, record.Count).Select(k => new ClassBox(new CocoBox(record.Boxes[k * 4], record.Boxes[k * 4 + 1],
            record.Boxes[k * 4 + 2] - record.Boxes[k * 4], record.Boxes[k * 4 + 3] - record.Boxes[k * 4 + 1]), record.Labels[k])).ToList();
}
