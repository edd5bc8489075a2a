using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DetrSharp.Torch;
using DetrSharp.Torch.IO;
using DetrSharp.Training.Distributed;

namespace DetrSharp.Training;

/// <summary>
/// The training loop of every family: the one <see cref="TrainingStep"/> (weighted loss, gradient accumulation and
/// clipping, AdamW or SGD over the family's parameter groups) on batches moved to runtime.device, the one
/// <see cref="LearningRateSchedule"/> (warm-up, then cosine, linear or step per step or per epoch), optional EMA
/// (updated after each optimizer step, used for evaluation), evaluation every N epochs,
/// atomic checkpoints with exact resume, and log.jsonl in the run folder. A NaN or infinite loss stops the
/// run naming the step and term, keeping the last good checkpoint. In a distributed run (a
/// <see cref="DistributedContext"/>) every rank starts from rank 0's weights, the step averages gradients, the ranks
/// agree each step on stopping, and rank 0 alone writes the run folder; evaluation is sharded over the ranks and scored on rank 0.
/// </summary>
public sealed class Trainer : IDisposable
{
    readonly IDetector _detector;
    readonly TrainingData _data;
    readonly RunConfig _config;
    TrainingStep _step;
    readonly Device _device;
    readonly string _runDir;
    readonly ITrainingObserver _observer;
    optim.Optimizer _optimizer;
    optim.lr_scheduler.LambdaLR _scheduler;
    LearningRateSchedule _schedule;
    OptimizerChoice _choice;
    readonly ModelEma? _ema;
    readonly EpochPlan _plan;
    // a time-limited per-epoch run: the training time its checkpoint recorded, and the clock of the run in progress
    TimeSpan _timeBefore;
    Func<TimeSpan>? _runClock;
    TrainingProgress _progress = new(0, 0, 0);
    Stopwatch _lastCheckpoint = Stopwatch.StartNew();
    SkippedSamples? _skipped;
    long _lastSavedStep;
    readonly DistributedContext? _dist;
    // a signal / the time limit, as every rank agreed on at the last step (distributed runs)
    bool _cancelAgreed, _outOfTimeAgreed;
    bool Writes => _dist?.IsMain ?? true;

    public Trainer(IDetector detector, TrainingData data, RunConfig config, string runDirectory, ITrainingObserver? observer = null,
        DistributedContext? distributed = null)
    {
        _dist = distributed;
        _detector = detector;
        if (distributed?.SyncBatchNorm(detector.Module, config.Runtime.SyncBatchnorm) is > 0 and int synced && distributed.IsMain)
            observer?.Message($"SyncBatchNorm: {synced} BatchNorm2d layers normalise with the statistics of all {distributed.WorldSize} ranks (runtime.sync_batchnorm {config.Runtime.SyncBatchnorm})");
        _data = data;
        _config = config;
        _runDir = runDirectory;
        _observer = observer ?? SilentObserver.Instance;
        _device = config.Runtime.TorchDevice;
        Precision = config.Runtime.ResolvePrecision();
        _plan = data.Plan ?? new EpochPlan(config.Schedule.Epochs);
        _plan.Epochs = config.Schedule.Epochs;
        var choice = TrainingOptimizer.Choose(config.Optim, TrainingOptimizer.PlannedIterations(config, data.Train.Count), data.ClassNames.Count);
        (_optimizer, _scheduler, _schedule, _step, _choice) = BuildOptimizer(choice);
        if (config.Optim.Ema > 0) _ema = new ModelEma(detector.Module, config.Optim.Ema, config.Optim.EmaTau);
    }

    /// <summary>The optimizer ("auto" resolved) with its schedule.</summary>
    public OptimizerChoice Optimizer => _choice;

    // the optimizer of a choice, its schedule and the step that uses it
    (optim.Optimizer, optim.lr_scheduler.LambdaLR, LearningRateSchedule, TrainingStep, OptimizerChoice) BuildOptimizer(OptimizerChoice choice)
    {
        int batch = _config.Data.BatchSize;
        var optimizer = TrainingOptimizer.Create(_detector, _config.Optim, choice, _config.Optim.ScaledWeightDecay(batch), out var roles);
        var schedule = new LearningRateSchedule(_config.Schedule, _config.Optim, roles, choice, _data.TrainLoader.BatchesPerEpoch, batch, TotalSteps, _plan);
        var scheduler = schedule.Attach(optimizer);
        return (optimizer, scheduler, schedule, new TrainingStep(_detector, optimizer, _config.Optim.ClipMaxNorm, _dist?.Group, Precision,
            _config.Runtime.DdpBucketBytes), choice);
    }

    /// <summary>Steps (batches; with a nominal batch several make one optimizer step) in the whole run (epochs × batches, capped by max_steps).</summary>
    public long TotalSteps => StepsIn(_config.Schedule.Epochs);

    // steps in that many epochs, capped by max_steps
    long StepsIn(int epochs)
    {
        long all = (long)epochs * _data.TrainLoader.BatchesPerEpoch;
        return _config.Schedule.MaxSteps > 0 ? Math.Min(all, _config.Schedule.MaxSteps) : all;
    }

    public TrainingProgress Progress => _progress;
    /// <summary>The epochs the run plans now: schedule.epochs, or what fits in the time limit (<see cref="EpochPlan"/>).</summary>
    public int PlannedEpochs => _plan.Epochs;
    /// <summary>The run's clock, the time since <see cref="Run"/> began (null: the wall clock; tests give a simulated one).</summary>
    public Func<TimeSpan>? Clock { get; set; }
    /// <summary>What runtime.precision resolved to on this machine: what the steps and evaluations run in.</summary>
    public RunPrecision Precision { get; }
    public string CheckpointPath => Path.Combine(_runDir, Checkpoint.FileName);
    public EvalResult? LastEval { get; private set; }
    public List<(long step, double loss)> LossCurve { get; } = new();

    /// <summary>
    /// Continues from the run folder's checkpoint (model, optimizer, scheduler, EMA, RNG, position, and the gradients of
    /// batches accumulated towards the next optimizer step).
    /// </summary>
    public void Resume(string? path = null)
    {
        path ??= CheckpointPath;
        using var ckpt = Checkpoint.Load(path);
        // "auto" keeps the optimizer the run chose (schedule.epochs may change on resume, and with it the planned steps)
        if (OptimizerCheckpoint.Choice(ckpt.Root) is { } saved && saved != _choice)
        {
            _optimizer.Dispose();
            _step.Averager?.Dispose(); // its gradient hooks go with it
            (_optimizer, _scheduler, _schedule, _step, _choice) = BuildOptimizer(saved);
        }
        Checkpoint.Restore(ckpt, _detector.Module, _optimizer, _scheduler, _ema);
        OptimizerCheckpoint.RestorePending(ckpt.Root, _step);
        OptimizerCheckpoint.RestoreScaler(ckpt.Root, _step);
        // a time-limited run continues with the epochs it had planned (re-estimated after its next epoch)
        if (EpochPlan.FitsTime(_config.Schedule))
        {
            if (ckpt.Root.TryGetValue(PlannedEpochsKey, out var planned) && planned is long n) _plan.Epochs = (int)n;
            if (ckpt.Root.TryGetValue(LastPartKey, out var last) && last is long l) _plan.LastPartFrom = (int)l;
            if (ckpt.Root.TryGetValue(TrainSecondsKey, out var seconds) && seconds is double d) _timeBefore = TimeSpan.FromSeconds(d);
        }
        _progress = ckpt.Progress;
        _lastSavedStep = _progress.Step;
        var p = _progress;
        _observer.Message($"resumed from {path} at step {p.Step}: {p.Epoch} of {_plan.Epochs} epochs done" +
                          (p.BatchInEpoch > 0 ? $", and {p.BatchInEpoch} batches of epoch {p.Epoch + 1}" : ""));
    }

    /// <summary>
    /// Trains until the last epoch, max_steps or the time limit, then evaluates. <paramref name="stopAfterStep"/>
    /// ends the run early after that step's checkpoint without changing the schedule (as a killed run would).
    /// A cancelled <paramref name="cancel"/> (SIGTERM, Ctrl-C) finishes the current step, writes a checkpoint and
    /// throws <see cref="TrainingInterruptedException"/>, without the final evaluation.
    /// </summary>
    public EvalResult? Run(CancellationToken cancel = default, long stopAfterStep = 0)
    {
        var c = _config.Schedule;
        torch.set_num_threads(_config.Runtime.TrainingThreads);
        // every rank starts from rank 0's weights and buffers (after a resume too)
        _dist?.BroadcastFromMain(_detector.Module.parameters().Concat(_detector.Module.buffers()).ToList());
        using var log = Writes ? OpenRunFolder() : RunLog.Discard();
        // records that data.skip_bad_samples left out of the datasets when they were read
        _skipped?.Add("train", _data.Train.Problems.Select(p => p.Message), _progress.Step, log);
        _skipped?.Add("val", _data.Val.Problems.Select(p => p.Message), _progress.Step, log);
        long total = TotalSteps;
        // what this (re)start computes in, as runtime.precision resolved here (auto differs between machines)
        var layout = _config.Runtime.ResolveChannelsLast(_config.Model.Name);
        log.Write("run", new JsonObject { ["step"] = _progress.Step, ["precision"] = Precision.Name, ["precision_reason"] = Precision.Reason, ["device"] = _device.ToString(),
            ["channels_last"] = layout.Enabled, ["channels_last_reason"] = layout.Reason });
        _observer.Message($"precision: {Precision.Name} ({Precision.Reason}); channels_last: {(layout.Enabled ? "on" : "off")} ({layout.Reason})");
        _observer.RunStarted(_config, total, _progress);
        bool stop = false;
        var watch = Stopwatch.StartNew();
        var since = Clock ?? (() => watch.Elapsed);
        // a time-limited per-epoch run counts its training time across resumes, so a resumed run finishes the plan it had
        bool fitsTime = EpochPlan.FitsTime(c);
        var before = fitsTime ? _timeBefore : TimeSpan.Zero;
        Func<TimeSpan> clock = () => before + since();
        _runClock = clock;
        if (fitsTime && clock().TotalMinutes >= c.TimeLimitMinutes)
        {
            _observer.Message($"the run's time limit of {c.TimeLimitMinutes} minutes is used up ({before.TotalMinutes:F1} minutes trained): raise --time-limit to train on");
            stop = true;
        }
        _lastCheckpoint = Stopwatch.StartNew();
        _detector.Module.train();
        var window = new Dictionary<string, double>();
        int windowCount = 0;
        int epoch = _progress.Epoch;
        for (; epoch < _plan.Epochs && !stop; epoch++)
        {
            total = StepsIn(_plan.Epochs);   // a time-limited run's plan may have changed the epochs after the last one
            int startBatch = epoch == _progress.Epoch ? _progress.BatchInEpoch : 0;
            int batchIndex = startBatch;
            // the loader is not cancelled: the step in progress finishes and is checkpointed
            foreach (var batch in _data.TrainLoader.Epoch(epoch, startBatch))
            {
                long t0 = Stopwatch.GetTimestamp();
                long step = _progress.Step + 1;
                Dictionary<string, double> values;
                using (batch)
                using (var onDevice = batch.To(_device))
                {
                    // ultralytics' warm-up of SGD's momentum, set before the step as its loop does
                    if (_optimizer is optim.SGD && _schedule.Momentum(step - 1) is { } momentum)
                        foreach (var g in _optimizer.param_groups) g.momentum = momentum;
                    try { values = _step.Run(onDevice, step, _schedule.Accumulate(step - 1)); }
                    catch (Exception e) when (e is NonFiniteLossException or NonFiniteTrainingException)
                    {
                        log.Write("diverged", new JsonObject { ["step"] = step, ["error"] = e.Message });
                        _observer.Message(File.Exists(CheckpointPath)
                            ? $"the last good checkpoint is {CheckpointPath} (step {_lastSavedStep}); it is left as it was"
                            : "no checkpoint was written before the divergence");
                        throw;
                    }
                    // with a time limit, the share of it used so far: the schedule follows whichever of steps and time is
                    // further along, so a time-limited run still anneals (such runs are not bit-reproducible on resume)
                    if (c.TimeLimitMinutes > 0) _schedule.TimeFraction = clock().TotalMinutes / c.TimeLimitMinutes;
                    if (_dist != null) AgreeOnStopping(cancel, c, clock);
                    _scheduler.step();
                    if (_step.Pending == 0) _ema?.Update();
                }
                batchIndex = batch.Position + 1;
                ReportDataProblems(log, step);
                _progress = new TrainingProgress(epoch, batchIndex, step);
                double lr = _optimizer.param_groups[_schedule.LoggedGroup].lr;
                double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                foreach (var (k, v) in values) window[k] = window.GetValueOrDefault(k) + v;
                windowCount++;
                LossCurve.Add((step, values["loss"]));
                _observer.StepDone(step, total, epoch + 1, values, lr, seconds);
                if (step % Math.Max(1, _config.Runtime.LogEvery) == 0 || step == total)
                {
                    var o = new JsonObject { ["step"] = step, ["epoch"] = epoch + 1, ["lr"] = lr, ["step_seconds"] = Math.Round(seconds, 4) };
                    foreach (var (k, v) in window) o[k] = Math.Round(v / windowCount, 6);
                    log.Write("train", o);
                    window.Clear();
                    windowCount = 0;
                }
                if (_dist != null ? _cancelAgreed : cancel.IsCancellationRequested)
                {
                    SaveCheckpoint();
                    throw new TrainingInterruptedException(step, CheckpointPath);
                }
                if ((c.CheckpointEvery > 0 && step % c.CheckpointEvery == 0)
                    || (c.CheckpointMinutes > 0 && _lastCheckpoint.Elapsed.TotalMinutes >= c.CheckpointMinutes)) SaveCheckpoint();
                bool outOfTime = _dist != null ? _outOfTimeAgreed
                    : c.TimeLimitMinutes > 0 && clock().TotalMinutes >= c.TimeLimitMinutes;
                if (stopAfterStep > 0 && step >= stopAfterStep)
                {
                    SaveCheckpoint();
                    return null;
                }
                if ((c.MaxSteps > 0 && step >= c.MaxSteps) || outOfTime)
                {
                    if (outOfTime) _observer.Message($"time limit of {c.TimeLimitMinutes} minutes reached at step {step}");
                    stop = true;
                    break;
                }
            }
            ReportDataProblems(log, _progress.Step);
            bool epochDone = !stop || _progress.BatchInEpoch >= _data.TrainLoader.BatchesPerEpoch;
            if (epochDone) _progress = new TrainingProgress(epoch + 1, 0, _progress.Step);
            if (fitsTime && epochDone && !stop) Replan(clock().TotalMinutes, log);
            SaveCheckpoint();
            bool last = stop || epoch + 1 >= _plan.Epochs;
            if (epochDone && _config.Eval.Every > 0 && (epoch + 1) % _config.Eval.Every == 0 && !last) Evaluate(epoch + 1, log);
            if (_dist != null ? _cancelAgreed : cancel.IsCancellationRequested) throw new TrainingInterruptedException(_progress.Step, CheckpointPath);
        }
        // the epoch the run ended in: the one in progress, or the last one done
        var result = Evaluate(_progress.BatchInEpoch > 0 ? _progress.Epoch + 1 : Math.Max(1, _progress.Epoch), log);
        if (result != null)
            AtomicFile.WriteAllText(Path.Combine(_runDir, "eval.json"), result.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return result;
    }

    // rank 0 / one process: prepares the run folder and opens its log
    RunLog OpenRunFolder()
    {
        Directory.CreateDirectory(_runDir);
        int orphans = AtomicFile.RemoveOrphans(_runDir);
        if (orphans > 0) _observer.Message($"removed {orphans} temporary file(s) that a killed run left in {_runDir}");
        AtomicFile.WriteAllText(Path.Combine(_runDir, "config.json"), _config.ToJson() + "\n");
        // a new run's folder keeps no result of another run
        if (_progress.Step == 0) File.Delete(Path.Combine(_runDir, "eval.json"));
        var log = new RunLog(_runDir, _progress.Step);
        if (_progress.Step == 0) File.Delete(Path.Combine(_runDir, SkippedSamples.FileName));
        _skipped = new SkippedSamples(_runDir, _data.Train.Count + _data.Train.Problems.Count, _config.Data.MaxSkippedFraction, _observer);
        if (_progress.Step > 0) _skipped.Resume();
        return log;
    }

    const string PlannedEpochsKey = "planned_epochs";

    const string TrainSecondsKey = "train_seconds";
    const string LastPartKey = "close_mosaic_from";

    // ultralytics' time mode after an epoch: the epochs that fit in the time limit at the run's mean epoch time (in a
    // distributed run, the ranks' mean, so all plan the same)
    void Replan(double minutes, RunLog log)
    {
        if (_dist != null) minutes = _dist.Average(minutes)[0];
        int done = _progress.Epoch;
        if (done <= 0 || minutes <= 0) return;
        int planned = EpochPlan.Estimate(done, minutes, _config.Schedule.TimeLimitMinutes);
        if (planned == _plan.Epochs) return;
        _plan.Epochs = planned;
        // the next step's lr, already set by the scheduler's last step, now from the new plan (ultralytics sets its scheduler up again)
        for (int g = 0; g < _optimizer.param_groups.Count; g++)
            _optimizer.param_groups[g].lr = _scheduler.base_lrs[g] * _schedule.Factor(g, _scheduler.last_epoch, _scheduler.base_lrs[g]);
        double epochSeconds = minutes * 60 / done;
        log.Write("plan", new JsonObject { ["step"] = _progress.Step, ["epoch"] = _progress.Epoch, ["epochs"] = planned, ["epoch_seconds"] = Math.Round(epochSeconds, 3) });
        _observer.EpochsPlanned(planned, $"time limit: {planned} epochs fit in {_config.Schedule.TimeLimitMinutes} minutes at {epochSeconds:F1} s per epoch");
    }

    // distributed: every rank stops at the same step (a signal on any rank, the time limit by the mean clock) and
    // schedules the learning rate by the same time fraction
    void AgreeOnStopping(CancellationToken cancel, ScheduleConfig c, Func<TimeSpan> clock)
    {
        bool outOfTime = c.TimeLimitMinutes > 0 && clock().TotalMinutes >= c.TimeLimitMinutes;
        var agreed = _dist!.Average(cancel.IsCancellationRequested ? 1 : 0, outOfTime ? 1 : 0, _schedule.TimeFraction);
        _cancelAgreed = agreed[0] > 0;
        _outOfTimeAgreed = agreed[1] > 0;
        _schedule.TimeFraction = agreed[2];
    }

    // epoch: the epoch's number, counted from 1 as everywhere a person reads it (console, log.jsonl)
    // in a distributed run every rank predicts its share of the validation set and rank 0 scores them all while the
    // others wait for it (null on those)
    EvalResult? Evaluate(int epoch, RunLog log)
    {
        if (Writes) _observer.EvaluationStarted(epoch);
        _ema?.Swap();
        EvalResult? r;
        try
        {
            r = _dist == null
                ? DetectionEvaluator.Evaluate(_detector, _data.ValLoader, _data.ValGroundTruth, precision: Precision)
                : ShardedEvaluation.Run(_dist, _detector, _data.ValLoader, () => _data.ValGroundTruth, Precision);
        }
        finally
        {
            _ema?.Swap();
        }
        if (r != null)
        {
            var o = r.ToJson();
            o["epoch"] = epoch;
            o["step"] = _progress.Step;
            log.Write("eval", o);
            ReportDataProblems(log, _progress.Step);
            LastEval = r;
            _observer.EvaluationDone(epoch, r);
        }
        // the others wait without the collectives' timeout: scoring a large set on rank 0 may take longer
        _dist?.MainDone($"eval/{_progress.Step}");
        return r;
    }

    // skipped samples (data.skip_bad_samples) and decoding warnings since the last call: console, log.jsonl, skipped.txt
    void ReportDataProblems(RunLog log, long step)
    {
        while (_data.Warnings.TryDequeue(out var w))
        {
            _observer.Message($"warning: {w}");
            log.Write("warning", new JsonObject { ["step"] = step, ["message"] = w });
        }
        if (_skipped == null) return;
        // a skipped validation image's ground truth still counts, as missed: say how much
        _skipped.Add("val", _data.ValLoader.Skipped.Select(v => $"{v.Reason} ({_data.Val.GetRecord(v.Position).Labels.Length} ground-truth boxes, counted as missed)"), step, log);
        _skipped.Add("train", _data.TrainLoader.Problems, step, log);
    }

    // then the earlier run that --restart moved aside is no longer needed
    void SaveCheckpoint()
    {
        if (!Writes) return;
        using (var scope = torch.NewDisposeScope())
        {
            var extra = new Dictionary<string, object?> { ["class_names"] = _data.ClassNames.Cast<object?>().ToList(), [PlannedEpochsKey] = (long)_plan.Epochs,
                [TrainSecondsKey] = _runClock?.Invoke().TotalSeconds ?? _timeBefore.TotalSeconds,
                [LastPartKey] = _plan.LastPartFrom is int from ? (long)from : null,
            };
            OptimizerCheckpoint.Write(extra, _choice, _step);
            Checkpoint.Save(CheckpointPath, _detector.Module, _optimizer, _scheduler, _ema, _progress, _config, extra);
        }
        _lastCheckpoint.Restart();
        _lastSavedStep = _progress.Step;
        new RunFolder(_runDir).DiscardPrevious();
        _observer.CheckpointSaved(_progress, CheckpointPath);
    }

    public void Dispose()
    {
        _ema?.Dispose();
        _optimizer.Dispose();
    }
}
