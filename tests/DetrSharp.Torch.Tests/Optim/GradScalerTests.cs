using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Optim;

/// <summary>
/// The dynamic loss scaler against torch.cuda.amp.GradScaler's rules, on synthetic gradients (the logic is device
/// independent): scaling, unscaling before the step, skipping steps with inf/NaN, backoff and growth.
/// </summary>
public class GradScalerTests
{
    static Tensor Param(params float[] v) => torch.tensor(v).requires_grad_();

    static void Near(float[] expected, Tensor actual)
    {
        var a = actual.detach().data<float>();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - expected[i]) < 1e-6, $"[{i}]: {a[i]} != {expected[i]}");
    }

    [Fact]
    public void DefaultsAreTorchs()
    {
        var s = new amp.GradScaler();
        Assert.Equal(65536.0, s.get_scale());
        var state = s.state_dict();
        Assert.Equal(2.0, state["growth_factor"]);
        Assert.Equal(0.5, state["backoff_factor"]);
        Assert.Equal(2000L, state["growth_interval"]);
        Assert.Equal(0L, state["_growth_tracker"]);
    }

    [Fact]
    public void ScaledBackwardThenUnscaleGivesTheTrueGradientAndTheStepUsesIt()
    {
        using var scope = torch.NewDisposeScope();
        var p = Param(1, 2, 3);
        using var sgd = new optim.SGD([p], lr: 0.1);
        var s = new amp.GradScaler(init_scale: 1024);
        var loss = (p * p).sum();                                        // d/dp = 2p
        var scaled = s.scale(loss);
        Assert.Equal(loss.item<float>() * 1024, scaled.item<float>(), 3);
        scaled.backward();
        Assert.Equal(new float[] { 2048, 4096, 6144 }, p.grad!.data<float>());
        Assert.True(s.unscale_([p]));
        Assert.Equal(new float[] { 2, 4, 6 }, p.grad!.data<float>());
        Assert.True(s.step(sgd, [p]));                                 // already unscaled: not divided again
        Near([0.8f, 1.6f, 2.4f], p);
        s.update();
        Assert.Equal(1024, s.get_scale());
        Assert.Equal(1, s.growth_tracker);
    }

    [Theory]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    [InlineData(float.NaN)]
    public void AStepWithANonFiniteGradientIsSkippedAndTheScaleBacksOff(float bad)
    {
        using var scope = torch.NewDisposeScope();
        var p = Param(1, 2);
        var q = Param(5);
        using var sgd = new optim.SGD([p, q], lr: 0.1);
        var s = new amp.GradScaler(init_scale: 8, growth_interval: 3);
        // two finite steps build up the growth tracker
        for (int i = 0; i < 2; i++)
        {
            p.grad = torch.tensor(new float[] { 8, 8 });
            q.grad = torch.tensor(new float[] { 8 });
            Assert.True(s.step(sgd, [p, q]));                          // unscales itself: gradient 1
            s.update();
        }
        Assert.Equal(2, s.growth_tracker);
        Near([0.8f, 1.8f], p);
        p.grad = torch.tensor(new float[] { 8, 8 });
        q.grad = torch.tensor(new float[] { bad });
        Assert.False(s.unscale_([p, q]));
        Assert.True(s.found_inf);
        Assert.False(s.step(sgd, [p, q]));
        Near([0.8f, 1.8f], p);   // unchanged: skipped
        Near([4.8f], q);
        s.update();
        Assert.Equal(4, s.get_scale());
        Assert.Equal(0, s.growth_tracker);
    }

    [Fact]
    public void TheScaleGrowsAfterGrowthIntervalFiniteStepsInARow()
    {
        using var scope = torch.NewDisposeScope();
        var p = Param(0);
        using var sgd = new optim.SGD([p], lr: 0);
        var s = new amp.GradScaler(init_scale: 16, growth_factor: 2, backoff_factor: 0.25, growth_interval: 3);
        var scales = new List<double>();
        bool[] finite = [true, true, true, true, false, true, true, true];
        foreach (var ok in finite)
        {
            p.grad = torch.tensor(new[] { ok ? 1f : float.NaN });
            s.step(sgd, [p]);
            s.update();
            scales.Add(s.get_scale());
        }
        // growth after the 3rd finite step; backoff ×0.25 at the NaN resets the count; growth again 3 steps later
        Assert.Equal(new double[] { 16, 16, 32, 32, 8, 8, 8, 16 }, scales);
    }

    [Fact]
    public void UpdateWithoutUnscaleAndUnscaleTwiceAreRefused()
    {
        using var scope = torch.NewDisposeScope();
        var p = Param(1);
        var s = new amp.GradScaler();
        Assert.Throws<InvalidOperationException>(() => s.update());
        p.grad = torch.ones(1);
        s.unscale_([p]);
        Assert.Throws<InvalidOperationException>(() => s.unscale_([p]));
    }

    [Fact]
    public void StateDictRoundTrips()
    {
        var a = new amp.GradScaler(init_scale: 64, growth_interval: 5);
        using (torch.NewDisposeScope())
        {
            var p = Param(1);
            p.grad = torch.ones(1);
            a.unscale_([p]);
            a.update();
        }
        var b = new amp.GradScaler(growth_interval: 5);
        b.load_state_dict(a.state_dict());
        Assert.Equal(64, b.get_scale());
        Assert.Equal(1, b.growth_tracker);
    }
}
