using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>
/// Starts a freshly built detector from a weights file (<c>--weights</c>, model.init_from): every tensor whose key
/// and shape match is copied; a tensor whose shape differs (a class head built for another class count: DETR's
/// class_embed, DINO's class_embed / enc_out_class_embed / label_enc, YOLO's cv3 / one2one_cv3) keeps the init the
/// family gave it (DINO's prior-probability bias, YOLO's bias_init for the run's classes). A torchvision ResNet state
/// dict goes into the model's ResNet (keys prefixed with its path, e.g. <c>backbone.0.body.</c>). Weights written
/// for another family are an error, as is a file of which nothing outside the backbone fits.
/// </summary>
public static class InitialWeights
{
    /// <summary>Loads <paramref name="path"/> into <paramref name="detector"/> and says what was loaded.</summary>
    /// <param name="detector">the model, as the family built it for the run's classes</param>
    /// <param name="model">the run's model section (for the YOLO scale check)</param>
    /// <param name="path">the weights file</param>
    public static WeightsLoadReport Load(IDetector detector, ModelConfig model, string path)
    {
        using var file = WeightsFile.Read(path);
        CheckFamily(file, detector, model);
        using var scope = torch.NewDisposeScope();
        var own = detector.Module.state_dict();
        IReadOnlyDictionary<string, Tensor> source = file.Kind == WeightsKind.TorchvisionResNet ? IntoResNet(file, own.Keys, detector.Family) : file.StateDict;
        var loaded = new List<string>();
        var reinit = new List<(string, long[], long[])>();
        foreach (var (key, t) in own)
        {
            if (!source.TryGetValue(key, out var s)) continue;
            if (s.shape.SequenceEqual(t.shape)) loaded.Add(key);
            else reinit.Add((key, s.shape, t.shape));
        }
        if (loaded.Count == 0)
            throw new ArgumentException($"{path}: no tensor of {file.Description} fits the {detector.Family} model (no key with the same name and shape): weights of another family or model size?");
        if (file.Kind != WeightsKind.TorchvisionResNet && loaded.All(k => k.StartsWith("backbone.", StringComparison.Ordinal)))
            throw new ArgumentException($"{path}: only backbone tensors of {file.Description} fit the {detector.Family} model, none of the rest: weights of another family?");
        var result = detector.Module.load_state_dict(source, strict: false);
        return new WeightsLoadReport(path, file.Description, loaded, reinit, result.missing_keys, result.unexpected_keys);
    }

    static void CheckFamily(WeightsFile file, IDetector detector, ModelConfig model)
    {
        bool yolo = detector.Module is YoloModel;
        switch (file.Kind)
        {
            case WeightsKind.DetrSharpCheckpoint when file.Model != detector.Family:
                throw new ArgumentException($"{file.Path}: {file.Description} cannot start a {detector.Family} model (train with --model {file.Model}, or give {detector.Family} weights)");
            case WeightsKind.Ultralytics when !yolo:
                throw new ArgumentException($"{file.Path}: {file.Description} cannot start a {detector.Family} model (it starts yolov8 or yolov10 models: --model yolov8 or yolov10)");
            case WeightsKind.Ultralytics when file.Model is { } name:
                if (!name.StartsWith(detector.Family, StringComparison.Ordinal) || name.Length != detector.Family.Length + 1)
                    throw new ArgumentException($"{file.Path}: {file.Description} cannot start a {detector.Family} model (train with --model {name[..^1]} --set model.scale={name[^1]})");
                if (model is YoloFamilyConfig { Yaml: null } y && y.ModelName != name)
                    throw new ArgumentException($"{file.Path}: {file.Description} is scale {name[^1]}, the run builds {y.ModelName} (add --set model.scale={name[^1]})");
                break;
            case WeightsKind.TorchvisionResNet when yolo:
                throw new ArgumentException($"{file.Path}: {file.Description} starts a ResNet backbone (detr, dino); the {detector.Family} model has none");
        }
    }

    /// <summary>The ResNet's tensors under the model's ResNet path: the prefix p with p + conv1.weight and p + layer1.0.conv1.weight among the model's keys.</summary>
    static Dictionary<string, Tensor> IntoResNet(WeightsFile file, IEnumerable<string> modelKeys, string family)
    {
        var keys = modelKeys.ToHashSet();
        var prefix = keys.Where(k => k.EndsWith("conv1.weight", StringComparison.Ordinal))
            .Select(k => k[..^"conv1.weight".Length])
            .FirstOrDefault(p => keys.Contains(p + "layer1.0.conv1.weight"))
            ?? throw new ArgumentException($"{file.Path}: {file.Description} starts a ResNet backbone, and the {family} model has no ResNet");
        return file.StateDict.ToDictionary(kv => prefix + kv.Key, kv => kv.Value);
    }
}
