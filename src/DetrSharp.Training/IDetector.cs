using DetrSharp.Data.Loading;
using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>One image's detections in the pixels of the image as stored.</summary>
public sealed record ImageDetections(long ImageId, float[] Scores, int[] Labels, float[] BoxesXyxy);

/// <summary>
/// What the engine needs of a detector (DETR, DINO, YOLO ...): its module, a loss for a batch, the loss
/// weights, and predictions for evaluation. The engine owns scopes, optimisation and checkpoints.
/// </summary>
public interface IDetector : IDisposable
{
    /// <summary>The trainable module (its state_dict is what checkpoints hold).</summary>
    nn.Module Module { get; }

    /// <summary>Named loss terms of a training batch (unweighted, as the reference's criterion returns them).</summary>
    IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch);

    /// <summary>Weights of the terms that make the total (terms not listed are logged only).</summary>
    IReadOnlyDictionary<string, double> WeightDict { get; }

    /// <summary>Predictions for a batch (eval mode, no gradients), boxes in each image's original pixels.</summary>
    IReadOnlyList<ImageDetections> Predict(DetectionBatch batch, float scoreThreshold = 0f);

    /// <summary>Parameter names that take the backbone learning rate.</summary>
    bool IsBackboneParameter(string name);
}
