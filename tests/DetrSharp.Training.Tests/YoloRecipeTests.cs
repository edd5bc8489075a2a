using DetrSharp.Detection.Families;
using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>
/// ultralytics' training recipe for the YOLO families, piece by piece against values worked out by hand from the
/// reference's formulas (engine/trainer.py, utils/torch_utils.py): the three parameter groups, the optimizer "auto"
/// picks, the nominal batch's accumulation and decay scaling, the warm-up of lr and momentum (np.interp), the linear
/// schedule per epoch, and the EMA's ramp. DETR's per-step schedule is checked unchanged.
/// </summary>
[Collection(SerialTraining.Name)]
public class YoloRecipeTests
{
    static void Near(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    [Fact]
    public void TheGroupsSplitNormWeightsBiasesAndOtherWeightsExactly()
    {
        var cfg = RunConfig.ForModel("yolov8");
        torch.manual_seed(1);
        using var det = DetectorFactory.Build(cfg, 3);
        var groups = det.ParameterGroups();
        Assert.Equal(new[] { ParameterRole.Bias, ParameterRole.Default, ParameterRole.NoDecay }, groups.Select(g => g.Role));
        // by module type and name, independently of the detector's code
        var norm = new HashSet<string>();
        var bias = new HashSet<string>();
        foreach (var (m, module) in det.Module.named_modules())
            foreach (var (n, p) in module.named_parameters(recurse: false))
            {
                if (!p.requires_grad) continue;
                var name = m.Length == 0 ? n : m + "." + n;
                if (n == "bias") bias.Add(name);
                else if (module is BatchNorm2d) norm.Add(name);
            }
        var all = det.Module.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToHashSet();
        Assert.Equal(bias.Order(), groups[0].Parameters.Select(p => p.Name).Order());
        Assert.Equal(norm.Order(), groups[2].Parameters.Select(p => p.Name).Order());
        Assert.Equal(all.Except(bias).Except(norm).Order(), groups[1].Parameters.Select(p => p.Name).Order());
        Assert.All(groups[1].Parameters, p => Assert.True(p.Name.EndsWith(".weight") && p.Parameter.dim() == 4, $"{p.Name} is a convolution weight"));
        // ultralytics logs "57 weight(decay=0.0), 64 weight(decay=0.0005), 63 bias(decay=0.0)" for YOLOv8n: 57 Conv
        // blocks (conv weight, BN weight and bias) and the head's 6 final convolutions (weight and bias); its 64th
        // decayed weight is the frozen DFL convolution, which takes no gradient and is in no group here
        Assert.Equal(63, groups[0].Parameters.Count);
        Assert.Equal(57, groups[2].Parameters.Count);
        Assert.Equal(63, groups[1].Parameters.Count);

        // the optimizer's groups: decay on the weights only, scaled by batch × accumulate / nbs (16 × 4 / 64 = 1)
        var choice = TrainingOptimizer.Choose(cfg.Optim, 100, 3);
        using var optimizer = TrainingOptimizer.Create(det, cfg.Optim, choice, cfg.Optim.ScaledWeightDecay(cfg.Data.BatchSize), out var roles);
        Assert.IsType<optim.AdamW>(optimizer);
        Assert.Equal(groups.Select(g => g.Role), roles);
        Assert.Equal(new[] { 0.0, 5e-4, 0.0 }, optimizer.param_groups.Select(g => g.weight_decay));
        Assert.All(optimizer.param_groups, g => Assert.Equal(0.001429, g.lr));
    }

    [Fact]
    public void TheYoloFamiliesDefaultToTheRecipeAndDetrKeepsItsOwn()
    {
        foreach (var family in new[] { "yolov8", "yolov10" })
        {
            var y = RunConfig.ForModel(family);
            // nominal batch 16, not ultralytics' 64: adapted for a 2-core CPU (README, the YOLO training recipe)
            Assert.Equal(new OptimConfig
            {
                Optimizer = "auto", Lr = 0.01, LrBackbone = 0.01, SgdMomentum = 0.937, WeightDecay = 5e-4, NominalBatchSize = 16,
                ClipMaxNorm = 10, Ema = 0.9999, EmaTau = 2000,
            }, y.Optim);
            Assert.Equal(new ScheduleConfig
            {
                WarmupEpochs = 3, WarmupSteps = 100, WarmupStartFactor = 0, WarmupBiasLr = 0.1, WarmupMomentum = 0.8,
                LrSchedule = LrScheduleKind.Linear, LrUpdate = LrUpdate.Epoch, Lrf = 0.01,
            }, y.Schedule);
            Assert.Equal(16, y.Data.BatchSize);
        }
        var detr = new RunConfig();
        Assert.Equal(new OptimConfig(), detr.Optim);
        Assert.Equal(new ScheduleConfig(), detr.Schedule);
        Assert.Equal(("adamw", 0, 0.0, 0.0, LrUpdate.Step, 0.01), (detr.Optim.Optimizer, detr.Optim.NominalBatchSize, detr.Optim.EmaTau, detr.Schedule.WarmupEpochs, detr.Schedule.LrUpdate, detr.Schedule.WarmupStartFactor));
        Assert.Equal("adamw", RunConfig.ForModel("dino").Optim.Optimizer);
        Assert.Equal(LrUpdate.Step, RunConfig.ForModel("dino").Schedule.LrUpdate);
    }

    [Theory]
    [InlineData("optim.optimizer", "\"adam\"", "optim.optimizer must be one of adamw, sgd, auto")]
    [InlineData("optim.sgd_momentum", "1", "optim.sgd_momentum must be in (0, 1)")]
    [InlineData("optim.nominal_batch_size", "-1", "optim.nominal_batch_size must be >= 0")]
    [InlineData("optim.ema_tau", "-5", "optim.ema_tau must be a finite number >= 0")]
    [InlineData("schedule.lrf", "0", "schedule.lrf must be in (0, 1]")]
    [InlineData("schedule.warmup_epochs", "-1", "schedule.warmup_epochs must be a finite number >= 0")]
    [InlineData("schedule.warmup_start_factor", "2", "schedule.warmup_start_factor must be in [0, 1]")]
    [InlineData("schedule.warmup_bias_lr", "1.5", "schedule.warmup_bias_lr must be in [0, 1)")]
    [InlineData("schedule.warmup_momentum", "1", "schedule.warmup_momentum must be in [0, 1)")]
    [InlineData("schedule.lr_update", "\"batch\"", "schedule.lr_update must be one of step, epoch")]
    public void BadRecipeSettingsNameTheirKey(string key, string value, string message)
    {
        var e = Assert.Throws<DetrSharp.Detection.Configuration.ConfigException>(() => RunConfig.ForModel("yolov10").With([(key, value)]));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void TheNominalBatchSetsAccumulationAndScalesTheDecay()
    {
        var o = new OptimConfig { NominalBatchSize = 64, WeightDecay = 5e-4 };
        Assert.Equal(4, o.Accumulate(16));
        Assert.Equal(5e-4, o.ScaledWeightDecay(16));
        // round(64 / 24) = 3: decay × 24 × 3 / 64
        Assert.Equal(3, o.Accumulate(24));
        Near(5.625e-4, o.ScaledWeightDecay(24), "decay at batch 24");
        // a batch above the nominal one: no accumulation, decay × 128 / 64
        Assert.Equal(1, o.Accumulate(128));
        Near(1e-3, o.ScaledWeightDecay(128), "decay at batch 128");
        // Python's round: half to even (10 / 4 = 2.5 -> 2)
        Assert.Equal(2, (o with { NominalBatchSize = 10 }).Accumulate(4));
        // without a nominal batch: one step per batch, decay as given
        Assert.Equal(1, new OptimConfig().Accumulate(2));
        Assert.Equal(1e-4, new OptimConfig().ScaledWeightDecay(2));
    }

    [Fact]
    public void AutoPicksAsUltralytics()
    {
        var auto = new OptimConfig { Optimizer = "auto", Lr = 0.01, SgdMomentum = 0.937 };
        // up to 10,000 optimizer steps: AdamW at round(0.002 × 5 / (4 + nc), 6), momentum 0.9
        Assert.Equal(new OptimizerChoice("adamw", 0.001429, 0.9, true), TrainingOptimizer.Choose(auto, 10000, 3));
        Assert.Equal(new OptimizerChoice("adamw", 0.000119, 0.9, true), TrainingOptimizer.Choose(auto, 500, 80));
        Assert.Equal(new OptimizerChoice("sgd", 0.01, 0.9, true), TrainingOptimizer.Choose(auto, 10001, 3));
        Assert.Equal(new OptimizerChoice("sgd", 0.01, 0.937, false), TrainingOptimizer.Choose(auto with { Optimizer = "sgd" }, 10001, 3));
        // ceil(1000 / max(16, 64)) × 40 epochs = 640; max_steps counts batches, 4 of them per optimizer step (ultralytics' nbs 64)
        var run = TinyData.With(RunConfig.ForModel("yolov10"), ("optim.nominal_batch_size", 64));
        Assert.Equal(640, TrainingOptimizer.PlannedIterations(run, 1000));
        Assert.Equal(25, TrainingOptimizer.PlannedIterations(TinyData.With(run, ("schedule.max_steps", 99)), 1000));
    }

    [Fact]
    public void SgdIsNesterovWithTheRecipesMomentum()
    {
        var cfg = TinyData.With(RunConfig.ForModel("yolov8"), ("optim.optimizer", "sgd"));
        torch.manual_seed(1);
        using var det = DetectorFactory.Build(cfg, 3);
        var choice = TrainingOptimizer.Choose(cfg.Optim, 1, 3);
        using var optimizer = TrainingOptimizer.Create(det, cfg.Optim, choice, 5e-4, out _);
        var sgd = Assert.IsType<optim.SGD>(optimizer);
        Assert.All(sgd.param_groups, g => Assert.True(g.nesterov && g.momentum == 0.937 && g.lr == 0.01));
        Assert.Equal(new[] { 0.0, 5e-4, 0.0 }, sgd.param_groups.Select(g => g.weight_decay));
    }

    static (LearningRateSchedule schedule, optim.lr_scheduler.LambdaLR scheduler, optim.SGD sgd, Tensor[] ps) YoloSchedule(bool auto = false)
    {
        // ultralytics' nominal batch 64 (the default here is 16, adapted for a 2-core CPU)
        var run = TinyData.With(RunConfig.ForModel("yolov8"), ("schedule.epochs", 20), ("optim.nominal_batch_size", 64));
        var ps = Enumerable.Range(0, 3).Select(_ => torch.zeros(1).requires_grad_()).ToArray();
        var sgd = new optim.SGD(ps.Select(p => new optim.ParamGroup([p], lr: 0.01)), lr: 0.01, momentum: 0.9, nesterov: true);
        var roles = new[] { ParameterRole.Bias, ParameterRole.Default, ParameterRole.NoDecay };
        // 10 batches an epoch: W = max(round(3 × 10), 100) = 100 steps
        var schedule = new LearningRateSchedule(run.Schedule, run.Optim, roles, new OptimizerChoice("sgd", 0.01, 0.9, auto), 10, 16, 200);
        return (schedule, schedule.Attach(sgd), sgd, ps);
    }

    /// <summary>np.interp(ni, [0, 100], [start, 0.01 × lf(epoch)]), lf(e) = (1 − e / 20) × 0.99 + 0.01, by hand.</summary>
    [Theory]
    // ni, bias lr, other lr, momentum, accumulate: ni 0: lf 1; bias from 0.1, others from 0, momentum 0.8, accumulate 1
    [InlineData(0, 0.1, 0.0, 0.8, 1)]
    // ni 50, epoch 5: lf 0.7525, target 0.007525; bias 0.1 + 0.5 × (0.007525 − 0.1); momentum 0.8 + 0.5 × 0.137; accumulate round(2.5) = 2
    [InlineData(50, 0.0537625, 0.0037625, 0.8685, 2)]
    // ni 75, epoch 7: lf 0.6535, target 0.006535; accumulate round(3.25) = 3
    [InlineData(75, 0.02990125, 0.00490125, 0.90275, 3)]
    // ni 100 = W, epoch 10: lf 0.505, every group at the schedule, momentum 0.937, accumulate 4
    [InlineData(100, 0.00505, 0.00505, 0.937, 4)]
    // ni 130, epoch 13: lf 0.3565; after the warm-up momentum is left as it is
    [InlineData(130, 0.003565, 0.003565, double.NaN, 4)]
    public void TheWarmupInterpolatesAsTheReference(int ni, double biasLr, double otherLr, double momentum, int accumulate)
    {
        var (schedule, scheduler, sgd, ps) = YoloSchedule();
        using var _ = sgd;
        Assert.Equal(100, schedule.WarmupSteps);
        for (int i = 0; i < ni; i++) scheduler.step();
        Near(biasLr, sgd.param_groups[0].lr, $"bias lr at {ni}");
        Near(otherLr, sgd.param_groups[1].lr, $"weight lr at {ni}");
        Near(otherLr, sgd.param_groups[2].lr, $"norm weight lr at {ni}");
        if (double.IsNaN(momentum)) Assert.Null(schedule.Momentum(ni));
        else Near(momentum, schedule.Momentum(ni)!.Value, $"momentum at {ni}");
        Assert.Equal(accumulate, schedule.Accumulate(ni));
        Assert.Equal(1, schedule.LoggedGroup);
        foreach (var p in ps) p.Dispose();
    }

    [Fact]
    public void AutoStartsTheBiasWarmupAtZeroAndARePlannedRunDecaysOverItsPlan()
    {
        var (schedule, _, sgd, ps) = YoloSchedule(auto: true);
        using var __ = sgd;
        // as ultralytics' auto (warmup_bias_lr = 0): every group rises from 0
        Near(0.0037625, schedule.Factor(0, 50, 0.01) * 0.01, "bias lr at 50 with auto");
        Near(0.4 * 0.99 + 0.01, schedule.Factor(1, 120, 0.01), "lf(12) of 20 epochs");
        // a time-limited run re-planned to 16 epochs: lf(e) = (1 − e / 16) × 0.99 + 0.01, as ultralytics' scheduler set up again
        schedule.Plan.Epochs = 16;
        Near(0.25 * 0.99 + 0.01, schedule.Factor(1, 120, 0.01), "lf(12) of 16 epochs");
        Near(0.01, schedule.Factor(1, 160, 0.01), "lf(16) of 16 epochs: lrf");
        // per epoch, the time used does not move the schedule (the plan does)
        schedule.TimeFraction = 0.9;
        Near(0.25 * 0.99 + 0.01, schedule.Factor(1, 125, 0.01), "lf(12) of 16 epochs, later in the epoch");
        foreach (var p in ps) p.Dispose();
    }

    /// <summary>DETR's and DINO's schedule, as it was before the recipe: warm-up from 1%, then cosine per step to 1%.</summary>
    [Fact]
    public void ThePerStepScheduleIsUnchanged()
    {
        var c = new ScheduleConfig { WarmupSteps = 100, Epochs = 40 };
        var s = new LearningRateSchedule(c, new OptimConfig(), [ParameterRole.Default, ParameterRole.Backbone], new OptimizerChoice("adamw", 2e-4, 0.9, false), 125, 8, 5000);
        static double Before(long step, long total, double timeFraction)
        {
            if (step < 100) return 0.01 + 0.99 * step / 100;
            double t = Math.Max((double)(step - 100) / (total - 100), timeFraction);
            return 0.01 + 0.99 * 0.5 * (1 + Math.Cos(Math.PI * Math.Clamp(t, 0, 1)));
        }
        foreach (long step in new long[] { 0, 1, 37, 99, 100, 101, 2550, 4999, 5000, 7000 })
            for (int g = 0; g < 2; g++) Assert.Equal(Before(step, 5000, 0), s.Factor(g, step, 2e-4));
        s.TimeFraction = 0.6;
        Assert.Equal(Before(1000, 5000, 0.6), s.Factor(0, 1000, 2e-4));
        Assert.Equal(Before(50, 5000, 0.6), s.Factor(0, 50, 2e-4));
        Assert.Null(s.Momentum(10));
        Assert.Equal(1, s.Accumulate(10));
    }

    [Fact]
    public void TheEmaRampsItsDecay()
    {
        torch.manual_seed(3);
        using var module = nn.Linear(2, 1);
        using var ema = new ModelEma(module, 0.9999, 2000);
        // 0.9999 × (1 − exp(−u / 2000)): 1 − e^(−1/2000) = 4.99875...e-4, 1 − e^(−1) = 0.632120558828558, 1 − e^(−5) = 0.993262053000915
        Near(0.000499825033328626, ema.DecayAt(1), "decay at 1");
        Near(0.6320573467726748, ema.DecayAt(2000), "decay at 2000");
        Near(0.9931627267956145, ema.DecayAt(10000), "decay at 10000");
        using (var constant = new ModelEma(module, 0.9999)) Assert.Equal(0.9999, constant.DecayAt(1));

        using var scope = torch.NewDisposeScope();
        var w0 = module.weight.detach().clone();
        using (torch.no_grad()) module.weight.add_(1.0);
        ema.Update();
        Assert.Equal(1, ema.Updates);
        // shadow = d × w0 + (1 − d) × (w0 + 1) = w0 + (1 − d)
        var expected = w0.data<float>().Select(v => v + (1 - 0.000499825033328626)).ToArray();
        var shadow = ema.state_dict()["weight"].data<float>();
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - shadow[i]) < 1e-6, $"weight[{i}]: {expected[i]} vs {shadow[i]}");
    }
}
