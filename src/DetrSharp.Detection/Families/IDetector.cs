using DetrSharp.Torch;

namespace DetrSharp.Detection.Families;

/// <summary>
/// The family-neutral contract that training, evaluation, predict, export and bench see: a built detector's module,
/// its losses on a batch with their weights, post-processed detections, and its parameter groups. Everything
/// family-specific (matching, criterion, decoding) stays behind it.
/// </summary>
public interface IDetector : IDisposable
{
    /// <summary>The family that built it.</summary>
    string Family { get; }

    /// <summary>The trainable module; its state_dict names are the reference's and are what checkpoints hold.</summary>
    nn.Module Module { get; }

    /// <summary>Named loss terms of a training batch, unweighted as the reference's criterion returns them (forward + criterion).</summary>
    IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch);

    /// <summary>Weights of the terms that make the total; terms not listed are logged only.</summary>
    IReadOnlyDictionary<string, double> WeightDict { get; }

    /// <summary>Detections of a batch (call in eval mode under no_grad), boxes in each image's stored pixels.</summary>
    IReadOnlyList<ImageDetections> Predict(DetectionBatch batch, float scoreThreshold = 0f);

    /// <summary>The trainable parameters by the learning rate and decay they take.</summary>
    IReadOnlyList<ParameterGroup> ParameterGroups();

    /// <summary>
    /// State-dict name prefixes that <c>--freeze</c> (model.freeze) freezes: with <paramref name="leadingModules"/> null the
    /// backbone (DETR, DINO: <c>backbone.</c>, the parameters of role Backbone; YOLO: the YAML's backbone rows), else the
    /// family's first N modules (YOLO: <c>model.0.</c> .. <c>model.{N-1}.</c> as ultralytics' freeze=N; DETR, DINO: the
    /// ResNet's stem and stages as detectron2's FREEZE_AT). Throws, saying what N may be, when N does not fit the model.
    /// </summary>
    IReadOnlyList<string> FreezePrefixes(int? leadingModules)
        => leadingModules == null
            ? ["backbone."]
            : throw new NotSupportedException($"the {Family} family defines no --freeze N; use --freeze backbone");
}
