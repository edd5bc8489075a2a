using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Optim.OptimTestSupport;

namespace DetrSharp.Torch.Tests.Optim;

public class ParamGroupTests
{
    static (Tensor a, Tensor b, Tensor c) Params()
        => (torch.tensor(new[] { 1.0f, -2.0f }).requires_grad_(), torch.tensor(new[] { 0.5f }).requires_grad_(),
            torch.tensor(new[] { 3.0f, 0.25f }).requires_grad_());

    static void SetGrads(Tensor a, Tensor b, Tensor c, int s)
    {
        a.grad = torch.tensor(new[] { 0.3f * (s + 1), -0.6f * (s + 1) });
        b.grad = torch.tensor(new[] { 1.0f / (s + 1) });
        c.grad = torch.tensor(new[] { -0.2f, 0.9f });
    }

    [Fact]
    public void AdamWGroupsUseTheirOwnOptionsAndDefaultsForTheRest()
    {
        using var scope = torch.NewDisposeScope();
        var (a, b, c) = Params();
        using var opt = new optim.AdamW(
            [new optim.ParamGroup([a], lr: 0.1, weight_decay: 0.0), new optim.ParamGroup([b], weight_decay: 0.5), new optim.ParamGroup([c], betas: (0.5, 0.9))],
            lr: 0.05, weight_decay: 0.1);
        Assert.Equal(0.1, opt.param_groups[0].lr);
        Assert.Equal(0.0, opt.param_groups[0].weight_decay);
        Assert.Equal(0.05, opt.param_groups[1].lr);
        Assert.Equal((0.9, 0.999), opt.param_groups[1].betas);
        Assert.Equal(0.1, opt.param_groups[2].weight_decay);
        for (int s = 0; s < 2; s++)
        {
            SetGrads(a, b, c, s);
            opt.step();
        }
        // PyTorch 1.13: AdamW([{'params': [a], 'lr': 0.1, 'weight_decay': 0.0}, {'params': [b], 'weight_decay': 0.5},
        //                      {'params': [c], 'betas': (0.5, 0.9)}], lr=0.05, weight_decay=0.1), two steps.
        Close([0.8034818172454834, -1.8034818172454834], Values(a), 1e-6);
        Close([0.3799535632133484], Values(b), 1e-6);
        Close([3.0698249340057373, 0.14775626361370087], Values(c), 1e-6);
    }

    [Fact]
    public void SgdGroupsAndTheirStateDictMatchPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        var (a, b, c) = Params();
        using (var pre = new optim.AdamW(
            [new optim.ParamGroup([a], lr: 0.1, weight_decay: 0.0), new optim.ParamGroup([b], weight_decay: 0.5), new optim.ParamGroup([c], betas: (0.5, 0.9))],
            lr: 0.05, weight_decay: 0.1))
        {
            for (int s = 0; s < 2; s++) { SetGrads(a, b, c, s); pre.step(); }
        }
        using var opt = new optim.SGD([new optim.ParamGroup([a], lr: 0.5), new optim.ParamGroup([b, c], momentum: 0.0, weight_decay: 0.1)],
            lr: 0.1, momentum: 0.9);
        for (int s = 0; s < 2; s++) { SetGrads(a, b, c, s); opt.step(); }
        Close([0.21848183870315552, -0.6334818601608276], Values(a), 1e-6);
        Close([0.22339250147342682], Values(b), 1e-6);
        Close([3.0485353469848633, -0.0342840850353241], Values(c), 1e-6);

        // {'state': {0: {'momentum_buffer': tensor([0.87, -1.74])}, 1: {'momentum_buffer': None}, 2: {'momentum_buffer': None}},
        //  'param_groups': [{'lr': 0.5, 'momentum': 0.9, ...}, {'momentum': 0.0, 'weight_decay': 0.1, 'lr': 0.1, 'dampening': 0, ...}]}
        var sd = opt.state_dict();
        var state = (Dictionary<long, object?>)sd["state"]!;
        Assert.Equal(new[] { 0L, 1L, 2L }, state.Keys);
        Close([0.87, -1.74], Values((Tensor)((Dictionary<string, object?>)state[0]!)["momentum_buffer"]!), 1e-6);
        Assert.Null(((Dictionary<string, object?>)state[1]!)["momentum_buffer"]);
        var groups = (List<object?>)sd["param_groups"]!;
        var g1 = (Dictionary<string, object?>)groups[1]!;
        Assert.Equal(new[] { "momentum", "weight_decay", "lr", "dampening", "nesterov", "maximize", "foreach", "differentiable", "params" }, g1.Keys);
        Assert.Equal(new List<object?> { 1L, 2L }, (List<object?>)g1["params"]!);
        var g0 = (Dictionary<string, object?>)groups[0]!;
        Assert.Equal(new[] { "lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach", "differentiable", "params" }, g0.Keys);
        Assert.Equal(0.9, g0["momentum"]);
    }

    [Fact]
    public void ChangingAGroupsLrTakesEffectOnTheNextStep()
    {
        using var scope = torch.NewDisposeScope();
        var p = torch.tensor(new[] { 1.0 }).requires_grad_();
        using var opt = new optim.SGD([p], lr: 0.1);
        p.grad = torch.tensor(new[] { 1.0 });
        opt.step();
        opt.param_groups[0].lr = 0.01;
        opt.step();
        Close([1.0 - 0.1 - 0.01], Values(p), 1e-15);
    }

    [Fact]
    public void BadGroupsAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        var (a, b, _) = Params();
        Assert.Contains("no option 'momentum'",
            Assert.Throws<ArgumentException>(() => new optim.AdamW([new optim.ParamGroup([a], momentum: 0.9)])).Message);
        Assert.Contains("no option 'betas'",
            Assert.Throws<ArgumentException>(() => new optim.SGD([new optim.ParamGroup([a], betas: (0.9, 0.99))], lr: 0.1)).Message);
        Assert.Contains("more than one parameter group",
            Assert.Throws<ArgumentException>(() => new optim.Adam([new optim.ParamGroup([a, b]), new optim.ParamGroup([b])])).Message);
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => new optim.Adam([a, a])).Message);
        Assert.Contains("Invalid learning rate",
            Assert.Throws<ArgumentException>(() => new optim.Adam([new optim.ParamGroup([a], lr: -0.1)])).Message);
        var unattached = new optim.ParamGroup([a]);
        Assert.Throws<InvalidOperationException>(() => unattached.lr);
    }

    [Fact]
    public void AddParamGroupAddsAGroupWithDefaults()
    {
        using var scope = torch.NewDisposeScope();
        var (a, b, _) = Params();
        using var opt = new optim.SGD([a], lr: 0.1, momentum: 0.9);
        opt.add_param_group(new optim.ParamGroup([b], lr: 0.01));
        Assert.Equal(2, opt.param_groups.Count);
        Assert.Equal(0.01, opt.param_groups[1].lr);
        Assert.Equal(0.9, opt.param_groups[1].momentum);
        Assert.Throws<ArgumentException>(() => opt.add_param_group(new optim.ParamGroup([a])));
    }
}
