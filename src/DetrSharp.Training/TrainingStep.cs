using DetrSharp.Assignment;
using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>
/// The one training step of every family, used by the trainer, `bench detr-step` and the tests: forward and losses
/// (the family's), the weighted total, a finite check, backward, gradient clipping and the optimizer step, all inside
/// one dispose scope. The batch must already be on the model's device. Divergence stops the step before the
/// optimizer changes anything: a non-finite loss term (<see cref="NonFiniteLossException"/>), and non-finite
/// predictions, weights, inputs or gradient norm (<see cref="NonFiniteTrainingException"/>), whichever part of the
/// family (its matcher, say) notices them first. Under a <see cref="RunPrecision"/> other than fp32 the forward runs under
/// autocast (the family's criterion leaves it, in float32); the loss, backward, clipping and the step stay outside. fp16
/// adds a dynamic <see cref="amp.GradScaler"/>: scaled backward, unscale before clipping, and a step with inf/NaN
/// gradients skipped (its scale backs off) instead of stopping the run.
/// </summary>
public sealed class TrainingStep
{
    readonly IDetector _detector;
    readonly optim.Optimizer _optimizer;
    readonly double _clipMaxNorm;
    readonly List<Tensor> _parameters;
    readonly RunPrecision? _precision;

    /// <param name="clipMaxNorm">clip the gradients' total norm to this (0 = no clipping)</param>
    /// <param name="precision">autocast around the forward (null or fp32: none)</param>
    public TrainingStep(IDetector detector, optim.Optimizer optimizer, double clipMaxNorm, RunPrecision? precision = null)
    {
        _detector = detector;
        _optimizer = optimizer;
        _clipMaxNorm = clipMaxNorm;
        _parameters = detector.Module.parameters().Where(p => p.requires_grad).ToList();
        _precision = precision;
        if (precision?.NeedsGradScaler == true) Scaler = new amp.GradScaler();
    }

    /// <summary>fp16's loss scaler (null otherwise).</summary>
    public amp.GradScaler? Scaler { get; }

    /// <summary>Runs one step; returns every loss term's value and the weighted total as "loss".</summary>
    /// <param name="step">the step's number, for the error that names a non-finite loss</param>
    public Dictionary<string, double> Run(DetectionBatch batch, long step)
    {
        using var scope = torch.NewDisposeScope();
        IReadOnlyDictionary<string, Tensor> terms;
        try
        {
            using var autocast = _precision?.Autocast();
            terms = _detector.Losses(batch);
        }
        catch (Exception e) when (e is not NonFiniteLossException && Diagnose(batch, step, e) is { } diverged) { throw diverged; }
        var (loss, values) = WeightedLoss.Sum(terms, _detector.WeightDict);
        WeightedLoss.CheckFinite(step, values, _detector.WeightDict);
        values["loss"] = loss.item<double>();
        _optimizer.zero_grad();
        if (Scaler is { } scaler) return ScaledBackwardAndStep(scaler, loss, values);
        loss.backward();
        if (_clipMaxNorm > 0)
        {
            double norm = nn.utils.clip_grad_norm_(_parameters, _clipMaxNorm);
            if (!double.IsFinite(norm)) throw new NonFiniteTrainingException(step, $"the gradient norm is {norm} (the loss was finite: {values["loss"]})");
        }
        _optimizer.step();
        return values;
    }

    // fp16: inf/NaN gradients at a finite loss are the scale overflowing float16, not divergence: the step is skipped
    Dictionary<string, double> ScaledBackwardAndStep(amp.GradScaler scaler, Tensor loss, Dictionary<string, double> values)
    {
        values["grad_scale"] = scaler.get_scale();
        scaler.scale(loss).backward();
        if (scaler.unscale_(_parameters) && _clipMaxNorm > 0) nn.utils.clip_grad_norm_(_parameters, _clipMaxNorm);
        values["skipped_step"] = scaler.step(_optimizer, _parameters) ? 0 : 1;
        scaler.update();
        return values;
    }

    // a family's error that divergence caused (a matcher refusing a NaN cost matrix, say), as the divergence it is
    NonFiniteTrainingException? Diagnose(DetectionBatch batch, long step, Exception e)
    {
        if (NonFiniteCheck.FirstNonFinite(_detector.Module.named_parameters()) is { } weight)
            return new NonFiniteTrainingException(step, $"the model's weight {weight} holds NaN or infinite values", e);
        if (NonFiniteCheck.HasNonFinite(batch.Images))
            return new NonFiniteTrainingException(step, "the input images of the batch hold NaN or infinite values", e);
        for (var inner = e; inner != null; inner = inner.InnerException)
            if (inner is CostMatrixException { Error: CostMatrixError.InvalidEntries })
                return new NonFiniteTrainingException(step, $"the predictions (scores or boxes) hold NaN or infinite values ({e.Message})", e);
        return null;
    }
}
