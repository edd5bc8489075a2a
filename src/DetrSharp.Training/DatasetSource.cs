using DetrSharp.Data.Coco;
using DetrSharp.Data.Yolo;
using DetrSharp.Evaluation;

namespace DetrSharp.Training;

/// <summary>One split of a dataset: the records, the file they were read from, and its ground truth for evaluation.</summary>
/// <param name="Dataset">The images and targets (the one dataset type, whatever the layout).</param>
/// <param name="Source">The COCO annotation file, or the YOLO data.yaml.</param>
/// <param name="GroundTruth">Builds the split's ground truth for COCO evaluation (read once, when first asked).</param>
public sealed record DatasetSplit(CocoDataset Dataset, string Source, Func<CocoGroundTruth> GroundTruth);

/// <summary>
/// What data.path names: a COCO folder (annotations/instances_{train,val}[2017].json and the image folders), a YOLO
/// data.yaml, or a folder holding data.yaml. Both layouts give the same <see cref="CocoDataset"/>, so loaders,
/// transforms, evaluation and every family work unchanged.
/// </summary>
public sealed class DatasetSource
{
    static readonly string[] YamlNames = ["data.yaml", "data.yml"];

    DatasetSource(string path, YoloDataYaml? yolo)
    {
        Path = path;
        Yolo = yolo;
    }

    /// <summary>data.path as given.</summary>
    public string Path { get; }

    /// <summary>The YOLO dataset file, or null for a COCO folder.</summary>
    public YoloDataYaml? Yolo { get; }

    /// <summary>"COCO" or "YOLO".</summary>
    public string Layout => Yolo is null ? "COCO" : "YOLO";

    /// <summary>Tells the layout of <paramref name="path"/>; a COCO folder wins over a data.yaml beside its annotations.</summary>
    /// <exception cref="DatasetException">The path is missing or neither layout, naming what was looked for.</exception>
    public static DatasetSource Detect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        const string lookedFor = "a COCO folder (annotations/instances_train.json or annotations/instances_train2017.json, and the val ones), " +
                                 "a YOLO data.yaml file, or a folder holding data.yaml";
        if (File.Exists(path))
        {
            var ext = System.IO.Path.GetExtension(path);
            if (ext.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || ext.Equals(".yml", StringComparison.OrdinalIgnoreCase))
                return new DatasetSource(path, YoloDataYaml.Read(path));
            throw new DatasetException($"data.path '{path}' is a file but not a YOLO data.yaml (.yaml or .yml); expected {lookedFor}", path);
        }
        if (!Directory.Exists(path)) throw new DatasetException($"data.path '{path}' does not exist; expected {lookedFor}", path);
        if (IsCocoFolder(path)) return new DatasetSource(path, null);
        foreach (var name in YamlNames)
        {
            var yaml = System.IO.Path.Combine(path, name);
            if (File.Exists(yaml)) return new DatasetSource(path, YoloDataYaml.Read(yaml));
        }
        throw new DatasetException($"data.path '{path}' is neither dataset layout: it holds no annotations/instances_{{train,val}}[2017].json " +
                                   $"and no data.yaml; expected {lookedFor}", path);
    }

    static bool IsCocoFolder(string root) =>
        new[] { "train", "val" }.Any(split => new[] { "", "2017" }.Any(suffix =>
            File.Exists(System.IO.Path.Combine(root, "annotations", $"instances_{split}{suffix}.json"))));

    /// <summary>
    /// Reads one split ("train" or "val") with <paramref name="options"/>; duplicate YOLO label lines are reported to
    /// <paramref name="onWarning"/>.
    /// </summary>
    public DatasetSplit Open(string split, CocoDatasetOptions options, Action<string>? onWarning = null)
    {
        if (Yolo is null)
        {
            var (annotations, images) = TrainingData.Locate(Path, split);
            return new DatasetSplit(CocoDataset.Load(annotations, images, options), annotations, Once(() => CocoGroundTruth.Load(annotations)));
        }
        var read = YoloDataset.Read(Yolo, split, options, onWarning);
        return new DatasetSplit(read.Dataset, Yolo.File, Once(() => GroundTruthOf(read.Instances, read.Dataset)));
    }

    /// <summary>The ground truth of the records a dataset kept, as a COCO file of them would give it.</summary>
    public static CocoGroundTruth GroundTruthOf(CocoInstances instances, CocoDataset dataset)
    {
        var images = (instances.Images ?? []).Where(i => dataset.IndexOfImageId(i.Id!.Value) >= 0).ToList();
        var kept = images.Select(i => i.Id!.Value).ToHashSet();
        return new CocoGroundTruth(
            images.Select(i => new CocoImage(i.Id!.Value, i.FileName, (int)i.Width!.Value, (int)i.Height!.Value)),
            (instances.Categories ?? []).Select(c => new CocoCategory(c.Id!.Value, c.Name, c.Supercategory)),
            (instances.Annotations ?? []).Where(a => kept.Contains(a.ImageId!.Value)).Select(a => new CocoAnnotation(
                a.Id!.Value, a.ImageId!.Value, a.CategoryId!.Value, new CocoBox(a.Bbox![0], a.Bbox[1], a.Bbox[2], a.Bbox[3]),
                a.Area ?? a.Bbox[2] * a.Bbox[3], a.IsCrowd == 1)),
            dataset.AnnotationFile);
    }

    static Func<T> Once<T>(Func<T> make) where T : class
    {
        T? value = null;
        return () => value ??= make();
    }
}
