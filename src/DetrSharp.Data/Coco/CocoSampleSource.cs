using DetrSharp.Data.Transforms;

namespace DetrSharp.Data.Coco;

/// <summary>A COCO dataset's samples, decoded with the dataset's own image limits and size check.</summary>
public sealed class CocoSampleSource(CocoDataset dataset) : ISampleSource
{
    public int Count => dataset.Count;

    public DetectionSample Load(int position) => DetectionSample.From(dataset.GetRecord(position), dataset.LoadImage(position));
}
