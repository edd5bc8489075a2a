using DetrSharp.Assignment;
using DetrSharp.Torch;
using DetrSharp.Torch.Distributed;
using DetrSharp.Training.Distributed;

namespace DetrSharp.Training;

/// <summary>
/// The one training step of every family, used by the trainer, `bench detr-step` and the tests: forward and losses
/// (the family's), the weighted total, a finite check, backward, gradient clipping and the optimizer step, all inside
/// one dispose scope. With gradient accumulation (ultralytics' nominal batch) a step's gradients are added to those of
/// the batches before it and the optimizer steps (after clipping the sum) once <c>accumulate</c> batches are in; the
/// batches waiting (<see cref="Pending"/>) and their gradients are part of a checkpoint. The batch must already be on the model's device. Divergence stops the step before the
/// optimizer changes anything: a non-finite loss term (<see cref="NonFiniteLossException"/>), and non-finite
/// predictions, weights, inputs or gradient norm (<see cref="NonFiniteTrainingException"/>), whichever part of the
/// family (its matcher, say) notices them first. In a distributed run (a process group given) the gradients are
/// averaged over the ranks (<see cref="GradientAverager"/>: all-reduces started from gradient hooks during backward) before clipping and the optimizer step, as DDP does. Under a
/// <see cref="RunPrecision"/> other than fp32 the forward runs under autocast (the family's criterion leaves it, in
/// float32); the loss, backward, clipping and the step stay outside. fp16 adds a dynamic <see cref="amp.GradScaler"/>:
/// scaled backward, unscale before clipping, and a step with inf/NaN gradients skipped (its scale backs off) instead
/// of stopping the run.
/// </summary>
public sealed class TrainingStep
{
    readonly IDetector _detector;
    readonly optim.Optimizer _optimizer;
    readonly double _clipMaxNorm;
    readonly List<Tensor> _parameters;
    readonly RunPrecision? _precision;

    /// <param name="clipMaxNorm">clip the gradients' total norm to this (0 = no clipping)</param>
    /// <param name="group">the process group of a distributed run (null: one process)</param>
    /// <param name="precision">autocast around the forward (null or fp32: none)</param>
    /// <param name="bucketBytes">a distributed run's gradient bucket cap (DDP's bucket_cap_mb)</param>
    public TrainingStep(IDetector detector, optim.Optimizer optimizer, double clipMaxNorm, ProcessGroup? group = null, RunPrecision? precision = null,
        long bucketBytes = GradientAverager.DefaultBucketBytes)
    {
        _detector = detector;
        _optimizer = optimizer;
        _clipMaxNorm = clipMaxNorm;
        _parameters = detector.Module.parameters().Where(p => p.requires_grad).ToList();
        if (group is { Size: > 1 }) Averager = new GradientAverager(group, _parameters, bucketBytes);
        _precision = precision;
        if (precision?.NeedsGradScaler == true) Scaler = new amp.GradScaler();
    }

    /// <summary>fp16's loss scaler (null otherwise).</summary>
    public amp.GradScaler? Scaler { get; }

    /// <summary>Batches whose gradients wait for the next optimizer step (0 right after one).</summary>
    public int Pending { get; private set; }

    /// <summary>The gradient averaging of a distributed run; null for one process.</summary>
    public GradientAverager? Averager { get; }

    /// <summary>
    /// Runs one step; returns every loss term's value and the weighted total as "loss". The optimizer steps when this
    /// batch makes <paramref name="accumulate"/> (or more) batches since the last optimizer step, as ultralytics'
    /// <c>ni - last_opt_step &gt;= accumulate</c>; in a distributed run the summed gradients are averaged over the
    /// ranks once, just before it (DDP's no_sync over the accumulated batches).
    /// </summary>
    /// <param name="step">the step's number, for the error that names a non-finite loss</param>
    /// <param name="accumulate">batches whose summed gradients make one optimizer step (1: every batch)</param>
    public Dictionary<string, double> Run(DetectionBatch batch, long step, int accumulate = 1)
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
        if (Pending == 0) _optimizer.zero_grad();
        Averager?.BeforeBackward(endsCycle: Pending + 1 >= accumulate); // reduce during this backward only when the optimizer steps after it
        try
        {
            if (Scaler is { } scaler)
            {
                values["grad_scale"] = scaler.get_scale();
                scaler.scale(loss).backward();
            }
            else loss.backward();
        }
        catch
        {
            Averager?.Abandon();
            throw;
        }
        Pending++;
        if (Pending < accumulate) return values;
        Averager?.AfterBackward(); // the accumulated gradients, once per optimizer step, mostly reduced during backward
        if (Scaler is { } s) return ScaledStep(s, values);
        if (_clipMaxNorm > 0)
        {
            double norm = nn.utils.clip_grad_norm_(_parameters, _clipMaxNorm);
            if (!double.IsFinite(norm)) throw new NonFiniteTrainingException(step, $"the gradient norm is {norm} (the loss was finite: {values["loss"]})");
        }
        _optimizer.step();
        Pending = 0;
        return values;
    }

    // fp16: inf/NaN gradients at a finite loss are the scale overflowing float16, not divergence: the step is skipped
    Dictionary<string, double> ScaledStep(amp.GradScaler scaler, Dictionary<string, double> values)
    {
        if (scaler.unscale_(_parameters) && _clipMaxNorm > 0) nn.utils.clip_grad_norm_(_parameters, _clipMaxNorm);
        values["skipped_step"] = scaler.step(_optimizer, _parameters) ? 0 : 1;
        scaler.update();
        Pending = 0;
        return values;
    }

    /// <summary>The gradients of the pending batches by parameter name (empty when none wait).</summary>
    public Dictionary<string, Tensor> PendingGradients()
    {
        var grads = new Dictionary<string, Tensor>();
        if (Pending == 0) return grads;
        foreach (var (name, p) in _detector.Module.named_parameters())
            if (p.grad is { } g) grads[name] = g;
        return grads;
    }

    /// <summary>Restores pending batches and their gradients (from a checkpoint); other parameters get none.</summary>
    public void RestorePending(int pending, IReadOnlyDictionary<string, Tensor> gradients)
    {
        if (pending < 0) throw new ArgumentOutOfRangeException(nameof(pending), pending, "pending batches must be >= 0");
        using var _ = torch.no_grad();
        foreach (var (name, p) in _detector.Module.named_parameters())
        {
            if (pending > 0 && gradients.TryGetValue(name, out var g))
            {
                if (!g.shape.SequenceEqual(p.shape))
                    throw new InvalidDataException($"the checkpoint's accumulated gradient of {name} has shape [{string.Join(", ", g.shape)}], the parameter [{string.Join(", ", p.shape)}]");
                using var copy = g.to(p.dtype, p.device, copy: true);
                p.grad = copy;
            }
            else p.grad = null;
        }
        Pending = pending;
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
