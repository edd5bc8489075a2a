using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>
/// The one training step of every family, used by the trainer, `bench detr-step` and the tests: forward and losses
/// (the family's), the weighted total, a finite check, backward, gradient clipping and the optimizer step, all inside
/// one dispose scope. The batch must already be on the model's device.
/// </summary>
public sealed class TrainingStep
{
    readonly IDetector _detector;
    readonly optim.Optimizer _optimizer;
    readonly double _clipMaxNorm;
    readonly List<Tensor> _parameters;

    /// <param name="clipMaxNorm">clip the gradients' total norm to this (0 = no clipping)</param>
    public TrainingStep(IDetector detector, optim.Optimizer optimizer, double clipMaxNorm)
    {
        _detector = detector;
        _optimizer = optimizer;
        _clipMaxNorm = clipMaxNorm;
        _parameters = detector.Module.parameters().Where(p => p.requires_grad).ToList();
    }

    /// <summary>Runs one step; returns every loss term's value and the weighted total as "loss".</summary>
    /// <param name="step">the step's number, for the error that names a non-finite loss</param>
    public Dictionary<string, double> Run(DetectionBatch batch, long step)
    {
        using var scope = torch.NewDisposeScope();
        var terms = _detector.Losses(batch);
        var (loss, values) = WeightedLoss.Sum(terms, _detector.WeightDict);
        WeightedLoss.CheckFinite(step, values, _detector.WeightDict);
        values["loss"] = loss.item<double>();
        _optimizer.zero_grad();
        loss.backward();
        if (_clipMaxNorm > 0) nn.utils.clip_grad_norm_(_parameters, _clipMaxNorm);
        _optimizer.step();
        return values;
    }
}
