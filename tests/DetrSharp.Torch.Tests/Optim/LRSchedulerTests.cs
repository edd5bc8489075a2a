using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.optim.lr_scheduler;

namespace DetrSharp.Torch.Tests.Optim;

/// <summary>
/// Each scheduler's learning rates over 12 steps (the value after creation, then after each step), against
/// PyTorch 1.13.1 (python3-torch) running the same schedule on SGD(lr=0.1).
/// </summary>
public class LRSchedulerTests
{
    sealed class Setup : IDisposable
    {
        public readonly Tensor P = torch.zeros(1).requires_grad_();
        public readonly optim.SGD Opt;
        public Setup(double lr = 0.1) => Opt = new optim.SGD([P], lr: lr);
        public void Dispose() { Opt.Dispose(); P.Dispose(); }
    }

    static double[] Sequence(LRScheduler s, int steps = 12)
    {
        var lrs = new List<double> { s.get_last_lr()[0] };
        for (int i = 0; i < steps; i++)
        {
            s.optimizer.step();
            s.step();
            lrs.Add(s.get_last_lr()[0]);
            Assert.Equal(s.get_last_lr()[0], s.optimizer.param_groups[0].lr);
        }
        return lrs.ToArray();
    }

    static void Same(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-15 * Math.Max(1, Math.Abs(expected[i])),
                $"step {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void StepLR()
    {
        using var t = new Setup();
        Same([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.00625], Sequence(new StepLR(t.Opt, 3, 0.5)));
    }

    [Fact]
    public void MultiStepLRWithARepeatedMilestone()
    {
        using var t = new Setup();
        Same([0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.00010000000000000005, 0.00010000000000000005,
              0.00010000000000000005, 0.00010000000000000005, 1.0000000000000006e-05, 1.0000000000000006e-05, 1.0000000000000006e-05,
              1.0000000000000006e-05], Sequence(new MultiStepLR(t.Opt, [2, 5, 5, 9], 0.1)));
    }

    [Fact]
    public void CosineAnnealingLRGoesDownAndBackUp()
    {
        using var t = new Setup();
        Same([0.1, 0.0905463412215599, 0.06579634122155989, 0.035203658778440096, 0.010453658778440105, 0.001, 0.010453658778440102,
              0.03520365877844012, 0.06579634122155993, 0.09054634122155995, 0.10000000000000005, 0.09054634122155998, 0.06579634122155995],
            Sequence(new CosineAnnealingLR(t.Opt, 5, 0.001)));
    }

    [Fact]
    public void LinearLRWarmsUp()
    {
        using var t = new Setup();
        var s = new LinearLR(t.Opt, 0.25, 1.0, 4);
        Same([0.025, 0.043750000000000004, 0.06250000000000001, 0.08125000000000002, 0.10000000000000002, 0.10000000000000002,
              0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002,
              0.10000000000000002], Sequence(s));
    }

    [Fact]
    public void LambdaLR()
    {
        using var t = new Setup();
        Same([0.1, 0.09000000000000001, 0.08100000000000002, 0.0729, 0.06561, 0.05904900000000001, 0.05314410000000001, 0.04782969000000001,
              0.04304672100000001, 0.03874204890000001, 0.03486784401000001, 0.031381059609000006, 0.028242953648100012],
            Sequence(new LambdaLR(t.Opt, e => Math.Pow(0.9, e))));
    }

    [Fact]
    public void SequentialLRWarmUpThenCosine()
    {
        using var t = new Setup();
        var warmup = new LinearLR(t.Opt, 0.1, 1.0, 3);
        var cosine = new CosineAnnealingLR(t.Opt, 6, 0.0);
        var s = new SequentialLR(t.Opt, [warmup, cosine], [3]);
        Same([0.010000000000000002, 0.04, 0.07, 0.1, 0.09330127018922195, 0.07500000000000001, 0.05, 0.025000000000000012,
              0.006698729810778065, 0.0, 0.006698729810778065, 0.025, 0.05000000000000004], Sequence(s));
        Assert.Equal(12, s.last_epoch);
        Assert.Equal(2, warmup.last_epoch);
        Assert.Equal(9, cosine.last_epoch);
    }

    [Fact]
    public void StateDictsHavePyTorchsKeys()
    {
        using var t = new Setup();
        // {'step_size': 3, 'gamma': 0.5, 'base_lrs': [0.1], 'last_epoch': 0, 'verbose': False, '_step_count': 1,
        //  '_get_lr_called_within_step': False, '_last_lr': [0.1]}
        var step = new StepLR(t.Opt, 3, 0.5).state_dict();
        Assert.Equal(new[] { "step_size", "gamma", "base_lrs", "last_epoch", "verbose", "_step_count", "_get_lr_called_within_step", "_last_lr" },
            step.Keys);
        Assert.Equal(3L, step["step_size"]);
        Assert.Equal(0L, step["last_epoch"]);
        Assert.Equal(1L, step["_step_count"]);
        Assert.Equal(new List<object?> { 0.1 }, (List<object?>)step["base_lrs"]!);

        var multi = new MultiStepLR(t.Opt, [2, 5, 5], 0.5).state_dict();
        var counts = (Dictionary<long, object?>)multi["milestones"]!;
        Assert.Equal(new[] { 2L, 5L }, counts.Keys);
        Assert.Equal(2L, counts[5]);

        Assert.Equal(new[] { "base_lrs", "last_epoch", "verbose", "_step_count", "_get_lr_called_within_step", "_last_lr", "lr_lambdas" },
            new LambdaLR(t.Opt, _ => 1.0).state_dict().Keys);
        Assert.Equal(new[] { "T_max", "eta_min" }, new CosineAnnealingLR(t.Opt, 4).state_dict().Keys.Take(2));
        Assert.Equal(new[] { "start_factor", "end_factor", "total_iters" }, new LinearLR(t.Opt).state_dict().Keys.Take(3));
    }

    [Fact]
    public void SequentialLRStateDictNestsItsSchedulers()
    {
        using var t = new Setup();
        var s = new SequentialLR(t.Opt, [new LinearLR(t.Opt, 0.1, 1.0, 3), new CosineAnnealingLR(t.Opt, 6)], [3]);
        for (int i = 0; i < 12; i++) s.step();
        // {'_milestones': [3], 'last_epoch': 12, '_last_lr': [0.05000000000000004], '_schedulers': [{...,'last_epoch': 2, '_step_count': 3, ...},
        //                                                                                          {...,'last_epoch': 9, '_step_count': 11, ...}]}
        var sd = s.state_dict();
        Assert.Equal(new[] { "_milestones", "last_epoch", "_last_lr", "_schedulers" }, sd.Keys);
        Assert.Equal(12L, sd["last_epoch"]);
        var inner = (List<object?>)sd["_schedulers"]!;
        Assert.Equal(3L, ((Dictionary<string, object?>)inner[0]!)["_step_count"]);
        Assert.Equal(11L, ((Dictionary<string, object?>)inner[1]!)["_step_count"]);
        Assert.Equal(9L, ((Dictionary<string, object?>)inner[1]!)["last_epoch"]);
    }

    [Fact]
    public void ResumedSchedulersContinueTheSameSequence()
    {
        static LRScheduler Make(optim.Optimizer o) => new SequentialLR(o, [new LinearLR(o, 0.1, 1.0, 3), new CosineAnnealingLR(o, 6, 1e-3)], [3]);

        static double[] Run(int? resumeAt)
        {
            var setups = new List<Setup> { new() };
            try
            {
                optim.Optimizer opt = setups[0].Opt;
                var s = Make(opt);
                var lrs = new List<double>();
                for (int i = 0; i < 14; i++)
                {
                    if (i == resumeAt)
                    {
                        var optState = OptimTestSupport.DeepClone(opt.state_dict());
                        var schedState = s.state_dict();
                        var next = new Setup(0.7); // another lr: everything must come from the state dicts
                        setups.Add(next);
                        var s2 = Make(next.Opt);
                        next.Opt.load_state_dict((Dictionary<string, object?>)optState!);
                        s2.load_state_dict(schedState);
                        OptimTestSupport.DisposeTensors(optState);
                        (opt, s) = (next.Opt, s2);
                    }
                    s.step();
                    lrs.Add(opt.param_groups[0].lr);
                }
                return lrs.ToArray();
            }
            finally
            {
                foreach (var t in setups) t.Dispose();
            }
        }
        var full = Run(null);
        Assert.Equal(full, Run(2));
        Assert.Equal(full, Run(7));
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        using var t = new Setup();
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(t.Opt, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(t.Opt, 0));
        Assert.Throws<ArgumentException>(() => new LinearLR(t.Opt, start_factor: 0));
        Assert.Throws<ArgumentException>(() => new LinearLR(t.Opt, end_factor: 1.5));
        Assert.Contains("initial_lr", Assert.Throws<InvalidOperationException>(() => new StepLR(t.Opt, 3, last_epoch: 5)).Message);
        var a = new StepLR(t.Opt, 3);
        Assert.Contains("one more than the number of milestone",
            Assert.Throws<ArgumentException>(() => new SequentialLR(t.Opt, [a, new StepLR(t.Opt, 2)], [])).Message);
        using var other = new Setup();
        Assert.Contains("same optimizer",
            Assert.Throws<ArgumentException>(() => new SequentialLR(t.Opt, [a, new StepLR(other.Opt, 2)], [3])).Message);
        Assert.Contains("Expected 1 lr_lambdas",
            Assert.Throws<ArgumentException>(() => new LambdaLR(t.Opt, new Func<int, double>[] { _ => 1, _ => 2 })).Message);
    }
}
