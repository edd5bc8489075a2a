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
}
