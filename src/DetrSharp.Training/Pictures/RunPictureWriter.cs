using DetrSharp.Data.Drawing;
using DetrSharp.Data.Imaging;
using DetrSharp.Reporting;

namespace DetrSharp.Training;

/// <summary>
/// Writes a run's pictures into its folder, as a training observer: labels.png and train_batch0.png when the run
/// starts, results.png, PR_curve.png, F1_curve.png, confusion_matrix.png and val_batch0_pred.png at each evaluation
/// (the final one included). A picture that cannot be drawn is reported through <paramref name="warn"/> and never
/// stops the run.
/// </summary>
public sealed class RunPictureWriter(string runDirectory, TrainingData data, Action<string>? warn = null) : ITrainingObserver
{
    public void RunStarted(RunConfig config, long totalSteps, TrainingProgress start)
    {
        Guard(RunPictureNames.Labels, WriteLabels);
        Guard(RunPictureNames.TrainBatch, WriteTrainBatch);
    }

    public void EvaluationDone(int epoch, EvalResult result)
    {
        Guard(RunPictureNames.Results, () => ResultsPlot.Write(Path.Combine(runDirectory, RunPictureNames.Results),
            LogSeries.Read(Path.Combine(runDirectory, RunLog.FileName))));
        Guard("the validation pictures", () => ValidationPictures.Write(runDirectory, data.Val, result, data.ValLoader.Options.BatchSize));
    }

    void WriteLabels()
    {
        var boxes = new List<LabelBox>();
        for (int i = 0; i < data.Train.Count; i++)
        {
            var r = data.Train.GetRecord(i);
            for (int k = 0; k < r.Count; k++)
                boxes.Add(new LabelBox(r.Labels[k], (r.Boxes[k * 4 + 2] - r.Boxes[k * 4]) / r.Width, (r.Boxes[k * 4 + 3] - r.Boxes[k * 4 + 1]) / r.Height));
        }
        LabelsPlot.Write(Path.Combine(runDirectory, RunPictureNames.Labels), boxes, data.ClassNames);
    }

    // the first batch of the first epoch as training sees it (augmented); the loader is deterministic per epoch
    void WriteTrainBatch()
    {
        foreach (var batch in data.TrainLoader.Epoch(0))
        {
            using (batch)
            {
                var tiles = BatchImages.Tiles(batch, data.ClassNames).Take(16).ToList();
                ImageCodec.WritePng(Path.Combine(runDirectory, RunPictureNames.TrainBatch), Mosaic.Compose(tiles, columns: 4), compressionLevel: 1);
            }
            break;
        }
    }

    void Guard(string what, Action write)
    {
        try
        {
            Directory.CreateDirectory(runDirectory);
            write();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            warn?.Invoke($"warning: could not draw {what}: {e.Message}");
        }
    }
}
