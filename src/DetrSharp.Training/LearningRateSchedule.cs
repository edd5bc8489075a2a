using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>
/// The one schedule of a run, per step (a step is one batch; steps count from 0): the warm-up, the learning rate of
/// each optimizer group, SGD's momentum during the warm-up, and how many batches' gradients make an optimizer step.
/// <list type="bullet">
/// <item>After the warm-up, a factor of each group's lr: per step from the warm-up's end (schedule.lr_update step: DETR,
/// DINO) or per epoch from the run's start (epoch: ultralytics' LambdaLR, lf(epoch)); cosine or linear to lrf, or ×0.1 at
/// lr_drop. Per step with a time limit the progress is whichever of steps and time is further along, so a time-limited
/// run still reaches lrf when its time is up; per epoch the progress is epochs done / the run's <see cref="EpochPlan"/>,
/// which a time-limited run re-estimates after every epoch as ultralytics' time mode.</item>
/// <item>The warm-up lasts W = max(round(warmup_epochs × batches per epoch), warmup_steps) steps (warmup_steps alone
/// without warmup_epochs). At step s &lt; W each group's lr is np.interp(s, [0, W], [start, scheduled]): start is
/// warmup_start_factor × the group's lr, or warmup_bias_lr for the bias group when set; scheduled is the group's lr
/// times the factor above (per step: the full lr). SGD's momentum goes from warmup_momentum to optim.sgd_momentum over
/// s ≤ W, and the batches per optimizer step from 1 to nbs / batch, as ultralytics.</item>
/// </list>
/// </summary>
public sealed class LearningRateSchedule
{
    readonly ScheduleConfig _c;
    readonly OptimConfig _optim;
    readonly IReadOnlyList<ParameterRole> _roles;
    readonly int _batchesPerEpoch, _batchSize;
    readonly long _totalSteps;
    readonly double _warmupBiasLr;

    /// <param name="roles">each optimizer group's role, in the optimizer's order</param>
    /// <param name="choice">the resolved optimizer ("auto" starts the bias group's warm-up at 0, as ultralytics)</param>
    /// <param name="plan">the run's planned epochs (per-epoch schedule); null: schedule.epochs</param>
    public LearningRateSchedule(ScheduleConfig schedule, OptimConfig optim, IReadOnlyList<ParameterRole> roles, OptimizerChoice choice,
        int batchesPerEpoch, int batchSize, long totalSteps, EpochPlan? plan = null)
    {
        Plan = plan ?? new EpochPlan(schedule.Epochs);
        _c = schedule;
        _optim = optim;
        _roles = roles;
        _batchesPerEpoch = Math.Max(1, batchesPerEpoch);
        _batchSize = batchSize;
        _totalSteps = totalSteps;
        _warmupBiasLr = choice.Auto ? 0 : schedule.WarmupBiasLr;
        WarmupSteps = schedule.WarmupEpochs > 0
            ? Math.Max((long)Math.Round(schedule.WarmupEpochs * _batchesPerEpoch, MidpointRounding.ToEven), schedule.WarmupSteps)
            : schedule.WarmupSteps;
    }

    /// <summary>The epochs the per-epoch schedule decays over (ultralytics' lf(epoch) with epochs = the plan's).</summary>
    public EpochPlan Plan { get; }

    /// <summary>Steps of the warm-up (W).</summary>
    public long WarmupSteps { get; }

    /// <summary>The share of the time limit used so far (the trainer sets it after every step; 0 without a limit).</summary>
    public double TimeFraction { get; set; }

    /// <summary>The group whose lr the log shows: the first with the run's default role.</summary>
    public int LoggedGroup => Math.Max(0, _roles.ToList().IndexOf(ParameterRole.Default));

    /// <summary>A LambdaLR over the optimizer's groups that sets each one's lr from <see cref="Factor"/>.</summary>
    public optim.lr_scheduler.LambdaLR Attach(optim.Optimizer optimizer)
    {
        if (optimizer.param_groups.Count != _roles.Count)
            throw new ArgumentException($"the optimizer has {optimizer.param_groups.Count} groups, the schedule {_roles.Count} roles");
        var lrs = optimizer.param_groups.Select(g => g.initial_lr ?? g.lr).ToArray();
        var lambdas = Enumerable.Range(0, lrs.Length).Select(i => (Func<int, double>)(step => Factor(i, step, lrs[i]))).ToList();
        return new optim.lr_scheduler.LambdaLR(optimizer, lambdas);
    }

    /// <summary>Group <paramref name="group"/>'s lr at <paramref name="step"/> as a share of its own lr <paramref name="groupLr"/>.</summary>
    public double Factor(int group, long step, double groupLr)
    {
        long w = WarmupSteps;
        if (w > 0 && step < w)
        {
            double start = _roles[group] == ParameterRole.Bias && _warmupBiasLr > 0 ? _warmupBiasLr / groupLr : _c.WarmupStartFactor;
            double end = _c.LrUpdate == LrUpdate.Step ? 1.0 : Scheduled(step);
            return start + (end - start) * step / w;
        }
        return Scheduled(step);
    }

    /// <summary>SGD's momentum at <paramref name="step"/> during the warm-up; null after it, or without a momentum warm-up.</summary>
    public double? Momentum(long step)
    {
        long w = WarmupSteps;
        if (w <= 0 || step > w || _c.WarmupMomentum <= 0) return null;
        if (step == w) return _optim.SgdMomentum;
        return _c.WarmupMomentum + (_optim.SgdMomentum - _c.WarmupMomentum) * step / w;
    }

    /// <summary>Batches whose gradients make the optimizer step at <paramref name="step"/> (ultralytics' accumulate, rising during the warm-up).</summary>
    public int Accumulate(long step)
    {
        int final = _optim.Accumulate(_batchSize);
        long w = WarmupSteps;
        if (final <= 1 || w <= 0 || step > w) return final;
        double ratio = (double)_optim.NominalBatchSize / _batchSize;
        double value = step == w ? ratio : 1 + (ratio - 1) * step / w;
        return Math.Max(1, (int)Math.Round(value, MidpointRounding.ToEven));
    }

    /// <summary>The factor after the warm-up (per step: counted from the warm-up's end).</summary>
    double Scheduled(long step)
    {
        if (_c.LrUpdate == LrUpdate.Epoch) return EpochFactor((int)(step / _batchesPerEpoch));
        long w = WarmupSteps, total = _totalSteps;
        if (_c.LrSchedule == LrScheduleKind.Step)
            return step >= (long)_c.LrDrop * Math.Max(1, total / Math.Max(1, _c.Epochs)) ? 0.1 : 1.0;
        double t = total <= w ? 1 : (double)(step - w) / (total - w);
        return Decay(Math.Clamp(Math.Max(t, TimeFraction), 0, 1));
    }

    // ultralytics' lf(epoch): the progress is epochs done / the planned epochs
    double EpochFactor(int epoch)
    {
        if (_c.LrSchedule == LrScheduleKind.Step) return epoch >= _c.LrDrop ? 0.1 : 1.0;
        double x = (double)epoch / Plan.Epochs;
        return _c.LrSchedule == LrScheduleKind.Linear
            ? Math.Max(1 - x, 0) * (1 - _c.Lrf) + _c.Lrf
            : (1 - Math.Cos(Math.Min(x, 1) * Math.PI)) / 2 * (_c.Lrf - 1) + 1;
    }

    // cosine (lrf + (1 - lrf) × (1 + cos πt) / 2) or linear to lrf, of the progress t in [0, 1]
    double Decay(double t) => _c.LrSchedule == LrScheduleKind.Linear
        ? (1 - t) * (1 - _c.Lrf) + _c.Lrf
        : _c.Lrf + (1 - _c.Lrf) * 0.5 * (1 + Math.Cos(Math.PI * t));
}
