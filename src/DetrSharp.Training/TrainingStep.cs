using DetrSharp.Assignment;
using DetrSharp.Torch;
using DetrSharp.Torch.Distributed;
using DetrSharp.Training.Distributed;

namespace DetrSharp.Training;

/// <summary>
/// The one training step of every family, used by the trainer, `bench detr-step` and the tests: forward and losses
/// (the family's), the weighted total, a finite check, backward, gradient clipping and the optimizer step, all inside
/// one dispose scope. The batch must already be on the model's device. Divergence stops the step before the
/// optimizer changes anything: a non-finite loss term (<see cref="NonFiniteLossException"/>), and non-finite
/// predictions, weights, inputs or gradient norm (<see cref="NonFiniteTrainingException"/>), whichever part of the
/// family (its matcher, say) notices them first. In a distributed run (a process group given) the gradients are
/// averaged over the ranks right after backward (<see cref="GradientAverager"/>), before clipping, as DDP does.
/// </summary>
public sealed class TrainingStep
{
    readonly IDetector _detector;
    readonly optim.Optimizer _optimizer;
    readonly double _clipMaxNorm;
    readonly List<Tensor> _parameters;

    /// <param name="clipMaxNorm">clip the gradients' total norm to this (0 = no clipping)</param>
    /// <param name="group">the process group of a distributed run (null: one process)</param>
    public TrainingStep(IDetector detector, optim.Optimizer optimizer, double clipMaxNorm, ProcessGroup? group = null)
    {
        _detector = detector;
        _optimizer = optimizer;
        _clipMaxNorm = clipMaxNorm;
        _parameters = detector.Module.parameters().Where(p => p.requires_grad).ToList();
        if (group is { Size: > 1 }) Averager = new GradientAverager(group, _parameters);
    }

    /// <summary>The gradient averaging of a distributed run; null for one process.</summary>
    public GradientAverager? Averager { get; }

    /// <summary>Runs one step; returns every loss term's value and the weighted total as "loss".</summary>
    /// <param name="step">the step's number, for the error that names a non-finite loss</param>
    public Dictionary<string, double> Run(DetectionBatch batch, long step)
    {
        using var scope = torch.NewDisposeScope();
        IReadOnlyDictionary<string, Tensor> terms;
        try { terms = _detector.Losses(batch); }
        catch (Exception e) when (e is not NonFiniteLossException && Diagnose(batch, step, e) is { } diverged) { throw diverged; }
        var (loss, values) = WeightedLoss.Sum(terms, _detector.WeightDict);
        WeightedLoss.CheckFinite(step, values, _detector.WeightDict);
        values["loss"] = loss.item<double>();
        _optimizer.zero_grad();
        loss.backward();
        Averager?.Average();
        if (_clipMaxNorm > 0)
        {
            double norm = nn.utils.clip_grad_norm_(_parameters, _clipMaxNorm);
            if (!double.IsFinite(norm)) throw new NonFiniteTrainingException(step, $"the gradient norm is {norm} (the loss was finite: {values["loss"]})");
        }
        _optimizer.step();
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
