using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;
using Xunit;
using static DetrSharp.Torch.Tests.Optim.OptimTestSupport;

namespace DetrSharp.Torch.Tests.Optim;

public class OptimizerStateDictTests
{
    /// <summary>A small least-squares problem: parameters w [4, 3] and b [3], fixed data; gradients by autograd.</summary>
    sealed class Problem : IDisposable
    {
        public readonly Tensor W, B, X, Y;

        public Problem()
        {
            using var g = new Generator(7);
            W = torch.randn(new long[] { 4, 3 }, generator: g).requires_grad_();
            B = torch.randn(new long[] { 3 }, generator: g).requires_grad_();
            X = torch.randn(new long[] { 16, 4 }, generator: g);
            Y = torch.randn(new long[] { 16, 3 }, generator: g);
        }

        public Tensor[] Params => [W, B];

        public void Backward()
        {
            using var scope = torch.NewDisposeScope();
            var d = X.matmul(W) + B - Y;
            (d * d).mean().backward();
        }

        public double[] Values() => OptimTestSupport.Values(W).Concat(OptimTestSupport.Values(B)).ToArray();

        public void Dispose()
        {
            W.Dispose(); B.Dispose(); X.Dispose(); Y.Dispose();
        }
    }

    static optim.Optimizer MakeAdamW(Tensor[] ps) => new optim.AdamW(
        [new optim.ParamGroup([ps[0]]), new optim.ParamGroup([ps[1]], lr: 0.05, weight_decay: 0)], lr: 0.02, amsgrad: true);
    static optim.Optimizer MakeAdam(Tensor[] ps) => new optim.Adam(ps, lr: 0.03, weight_decay: 0.1);
    static optim.Optimizer MakeSgd(Tensor[] ps) => new optim.SGD(ps, lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 1e-3);

    static optim.lr_scheduler.LRScheduler MakeSchedule(optim.Optimizer opt) => new optim.lr_scheduler.SequentialLR(opt,
        [new optim.lr_scheduler.LinearLR(opt, 0.2, 1.0, 3), new optim.lr_scheduler.CosineAnnealingLR(opt, 6, 1e-3)], [3]);

    /// <summary>
    /// Trains <paramref name="total"/> steps; with <paramref name="resumeAt"/>, stops there, passes the optimizer and
    /// scheduler state dicts through <paramref name="roundTrip"/>, and continues with a new optimizer and scheduler
    /// loaded from them (the parameters carried over as a checkpoint would carry them).
    /// </summary>
    static double[] Train(Func<Tensor[], optim.Optimizer> make, int total, int? resumeAt = null,
        Func<Dictionary<string, object?>, (object? optimizer, object? scheduler)>? roundTrip = null)
    {
        using var problem = new Problem();
        var opt = make(problem.Params);
        var sched = MakeSchedule(opt);
        try
        {
            for (int s = 0; s < total; s++)
            {
                if (s == resumeAt)
                {
                    var checkpoint = new Dictionary<string, object?> { ["optimizer"] = opt.state_dict(), ["scheduler"] = sched.state_dict() };
                    var (optState, schedState) = roundTrip!(checkpoint);
                    DisposeTensors(checkpoint);
                    opt.Dispose();
                    opt = make(problem.Params);
                    sched = MakeSchedule(opt);
                    if (optState is not null) Load(opt, optState);
                    if (schedState is not null) Load(sched, schedState);
                    DisposeTensors(optState);
                }
                opt.zero_grad();
                problem.Backward();
                opt.step();
                sched.step();
            }
            return problem.Values();
        }
        finally
        {
            opt.Dispose();
        }
    }

    static void Load(optim.Optimizer opt, object? sd)
    {
        if (sd is Dictionary<string, object?> d) opt.load_state_dict(d);
        else opt.load_state_dict((IEnumerable<KeyValuePair<object?, object?>>)sd!);
    }

    static void Load(optim.lr_scheduler.LRScheduler s, object? sd)
    {
        if (sd is Dictionary<string, object?> d) s.load_state_dict(d);
        else s.load_state_dict((IEnumerable<KeyValuePair<object?, object?>>)sd!);
    }

    static (object?, object?) InMemory(Dictionary<string, object?> checkpoint)
        => (DeepClone(checkpoint["optimizer"]), DeepClone(checkpoint["scheduler"]));

    static (object?, object?) ThroughTorchSave(Dictionary<string, object?> checkpoint)
    {
        var path = Path.Combine(Path.GetTempPath(), $"detrsharp-optim-{Guid.NewGuid():N}.pt");
        try
        {
            torch.save(checkpoint, path);
            var loaded = (PickleDict)torch.load(path)!;
            return (loaded["optimizer"], loaded["scheduler"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string> Optimizers => new() { "adamw", "adam", "sgd" };

    static Func<Tensor[], optim.Optimizer> Maker(string name) => name switch
    {
        "adamw" => MakeAdamW,
        "adam" => MakeAdam,
        _ => MakeSgd,
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void ResumingFromAStateDictContinuesExactly(string name)
    {
        var uninterrupted = Train(Maker(name), 10);
        var resumed = Train(Maker(name), 10, resumeAt: 4, roundTrip: InMemory);
        Assert.Equal(uninterrupted, resumed);
        var fresh = Train(Maker(name), 10, resumeAt: 4, roundTrip: _ => (null, null));
        Assert.NotEqual(uninterrupted, fresh);
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void ResumingThroughTorchSaveAndLoadContinuesExactly(string name)
    {
        var uninterrupted = Train(Maker(name), 10);
        var resumed = Train(Maker(name), 10, resumeAt: 5, roundTrip: ThroughTorchSave);
        Assert.Equal(uninterrupted, resumed);
    }

    [Fact]
    public void AdamWStateDictHasPyTorchsLayout()
    {
        using var scope = torch.NewDisposeScope();
        var p = torch.tensor(new[] { 1.0f, 2.0f }).requires_grad_();
        var q = torch.tensor(new[] { 3.0f }).requires_grad_();
        var r = torch.tensor(new[] { 4.0f }).requires_grad_();
        using var opt = new optim.AdamW([new optim.ParamGroup([p, q]), new optim.ParamGroup([r], lr: 0.5, weight_decay: 0.0)], lr: 0.1);
        p.grad = torch.ones(2);
        r.grad = torch.ones(1);
        opt.step();
        // PyTorch 1.13: {'state': {0: {'step': tensor(1.), 'exp_avg': tensor([0.1, 0.1]), 'exp_avg_sq': tensor([0.001, 0.001])},
        //                          2: {...}},
        //  'param_groups': [{'lr': 0.1, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0.01, 'amsgrad': False, 'foreach': None,
        //                    'maximize': False, 'capturable': False, 'params': [0, 1]},
        //                   {'lr': 0.5, 'weight_decay': 0.0, 'betas': (0.9, 0.999), ..., 'params': [2]}]}
        var sd = opt.state_dict();
        Assert.Equal(new[] { "state", "param_groups" }, sd.Keys);
        var state = (Dictionary<long, object?>)sd["state"]!;
        Assert.Equal(new[] { 0L, 2L }, state.Keys);
        var s0 = (Dictionary<string, object?>)state[0]!;
        Assert.Equal(new[] { "step", "exp_avg", "exp_avg_sq" }, s0.Keys);
        var step = (Tensor)s0["step"]!;
        Assert.Equal(ScalarType.Float32, step.dtype);
        Assert.Equal(0, step.dim());
        Assert.Equal(1.0, step.item<double>());
        Close([0.1, 0.1], Values((Tensor)s0["exp_avg"]!), 1e-7);
        Close([0.001, 0.001], Values((Tensor)s0["exp_avg_sq"]!), 1e-9);

        var groups = (List<object?>)sd["param_groups"]!;
        var g0 = (Dictionary<string, object?>)groups[0]!;
        Assert.Equal(new[] { "lr", "betas", "eps", "weight_decay", "amsgrad", "foreach", "maximize", "capturable", "params" }, g0.Keys);
        Assert.Equal(0.1, g0["lr"]);
        Assert.Equal(new object?[] { 0.9, 0.999 }, (object?[])g0["betas"]!);
        Assert.Equal(1e-8, g0["eps"]);
        Assert.Equal(0.01, g0["weight_decay"]);
        Assert.Equal(false, g0["amsgrad"]);
        Assert.Null(g0["foreach"]);
        Assert.Equal(new List<object?> { 0L, 1L }, (List<object?>)g0["params"]!);
        var g1 = (Dictionary<string, object?>)groups[1]!;
        Assert.Equal(new[] { "lr", "weight_decay", "betas", "eps", "amsgrad", "foreach", "maximize", "capturable", "params" }, g1.Keys);
        Assert.Equal(new List<object?> { 2L }, (List<object?>)g1["params"]!);

        // A scheduler adds 'initial_lr' before 'params', as in PyTorch.
        _ = new optim.lr_scheduler.StepLR(opt, 2);
        var g0s = (Dictionary<string, object?>)((List<object?>)opt.state_dict()["param_groups"]!)[0]!;
        Assert.Equal(new[] { "initial_lr", "params" }, g0s.Keys.TakeLast(2));
        Assert.Equal(0.1, g0s["initial_lr"]);
    }

    [Fact]
    public void LoadRestoresGroupOptionsAndAcceptsNumbersAndOlderStepForms()
    {
        using var scope = torch.NewDisposeScope();
        var p = torch.tensor(new[] { 1.0f, 2.0f }).requires_grad_();
        using var opt = new optim.Adam([p], lr: 0.1);
        var sd = new Dictionary<string, object?>
        {
            ["state"] = new Dictionary<long, object?>
            {
                [0] = new Dictionary<string, object?>
                {
                    ["step"] = 3L, // PyTorch before 1.12 kept the step as a number
                    ["exp_avg"] = torch.tensor(new[] { 0.5, 0.25 }), // float64: cast to the parameter's dtype
                    ["exp_avg_sq"] = torch.tensor(new[] { 0.01f, 0.02f }),
                },
            },
            ["param_groups"] = new List<object?>
            {
                new Dictionary<string, object?>
                {
                    ["lr"] = 0.01, ["betas"] = new List<object?> { 0.5, 0.9 }, ["eps"] = 1e-6, ["weight_decay"] = 0L, ["amsgrad"] = false,
                    ["maximize"] = false, ["foreach"] = null, ["capturable"] = false, ["differentiable"] = false, ["fused"] = false,
                    ["initial_lr"] = 0.02, ["params"] = new List<object?> { 0L },
                },
            },
        };
        opt.load_state_dict(sd);
        var g = opt.param_groups[0];
        Assert.Equal(0.01, g.lr);
        Assert.Equal((0.5, 0.9), g.betas);
        Assert.Equal(1e-6, g.eps);
        Assert.Equal(0.0, g.weight_decay);
        Assert.Equal(0.02, g.initial_lr);
        var s0 = (Dictionary<string, object?>)((Dictionary<long, object?>)opt.state_dict()["state"]!)[0]!;
        Assert.Equal(3.0, ((Tensor)s0["step"]!).item<double>());
        var expAvg = (Tensor)s0["exp_avg"]!;
        Assert.Equal(ScalarType.Float32, expAvg.dtype);
        Close([0.5, 0.25], Values(expAvg), 1e-7);
    }

    [Fact]
    public void MismatchedStateDictsAreRejectedAndChangeNothing()
    {
        using var scope = torch.NewDisposeScope();
        var p = torch.tensor(new[] { 1.0f, 2.0f }).requires_grad_();
        var q = torch.tensor(new[] { 3.0f }).requires_grad_();
        using var opt = new optim.AdamW([p, q], lr: 0.1);
        p.grad = torch.ones(2);
        q.grad = torch.ones(1);
        opt.step();
        var good = (Dictionary<string, object?>)DeepClone(opt.state_dict())!;

        using var other = new optim.AdamW([new optim.ParamGroup([p]), new optim.ParamGroup([q])], lr: 0.1);
        Assert.Contains("different number of parameter groups", Assert.Throws<ArgumentException>(() => other.load_state_dict(good)).Message);

        var r = torch.tensor(new[] { 5.0f }).requires_grad_();
        using var bigger = new optim.AdamW([p, q, r], lr: 0.1);
        Assert.Contains("doesn't match the size", Assert.Throws<ArgumentException>(() => bigger.load_state_dict(good)).Message);

        var bad = (Dictionary<string, object?>)DeepClone(good)!;
        ((Dictionary<string, object?>)((Dictionary<long, object?>)bad["state"]!)[1]!)["exp_avg"] = torch.zeros(4);
        ((Dictionary<string, object?>)((List<object?>)bad["param_groups"]!)[0]!)["lr"] = 0.5;
        var ex = Assert.Throws<ArgumentException>(() => opt.load_state_dict(bad));
        Assert.Contains("state[1].exp_avg", ex.Message);
        Assert.Contains("shape", ex.Message);
        Assert.Equal(0.1, opt.param_groups[0].lr);
        var now = opt.state_dict();
        Assert.Equal(2, ((Dictionary<long, object?>)now["state"]!).Count);

        var missing = (Dictionary<string, object?>)DeepClone(good)!;
        ((Dictionary<string, object?>)((Dictionary<long, object?>)missing["state"]!)[0]!).Remove("exp_avg_sq");
        Assert.Contains("no 'exp_avg_sq' entry", Assert.Throws<ArgumentException>(() => opt.load_state_dict(missing)).Message);
    }
}
