using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>
/// An exponential moving average of a model's floating-point parameters and buffers (BatchNorm's running statistics
/// too; integer buffers are not averaged), as ultralytics' ModelEMA: after every optimizer step
/// shadow = d × shadow + (1 − d) × value, with d = decay, or with a ramp tau d = decay × (1 − exp(−updates / tau)) so the
/// average follows the model closely early on. Used for evaluation when enabled; saved in checkpoints with its update count.
/// </summary>
public sealed class ModelEma : IDisposable
{
    readonly List<(string name, Tensor shadow, Tensor live)> _pairs = new();

    /// <param name="tau">the ramp's time constant in updates (0 = the decay from the first update)</param>
    public ModelEma(nn.Module model, double decay, double tau = 0)
    {
        if (decay <= 0 || decay >= 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "EMA decay must be in (0, 1)");
        if (!(tau >= 0) || double.IsInfinity(tau)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "EMA tau must be a finite number >= 0");
        Decay = decay;
        Tau = tau;
        using var _ = torch.no_grad();
        foreach (var (name, t) in model.named_parameters().Concat(model.named_buffers()))
            if (t.is_floating_point()) _pairs.Add((name, t.detach().clone().DetachFromDisposeScope(), t));
    }

    /// <summary>The decay the ramp tends to.</summary>
    public double Decay { get; }

    /// <summary>The ramp's time constant (0 = none).</summary>
    public double Tau { get; }

    /// <summary>Updates so far (ultralytics' ema.updates; restored on resume).</summary>
    public long Updates { get; set; }

    /// <summary>The decay of update number <paramref name="updates"/> (counted from 1).</summary>
    public double DecayAt(long updates) => Tau > 0 ? Decay * (1 - Math.Exp(-updates / Tau)) : Decay;

    /// <summary>Averages the model's current values in (call after each optimizer step).</summary>
    public void Update()
    {
        double d = DecayAt(++Updates);
        using var _ = torch.no_grad();
        foreach (var (_, shadow, live) in _pairs) shadow.lerp_(live, 1 - d);
    }

    /// <summary>The averaged values by parameter/buffer name.</summary>
    public OrderedDictionary<string, Tensor> state_dict()
    {
        var d = new OrderedDictionary<string, Tensor>();
        foreach (var (name, shadow, _) in _pairs) d[name] = shadow;
        return d;
    }

    public void load_state_dict(IReadOnlyDictionary<string, Tensor> values)
    {
        using var _ = torch.no_grad();
        foreach (var (name, shadow, _) in _pairs)
            if (values.TryGetValue(name, out var v)) shadow.copy_(v);
    }

    /// <summary>Swaps the averaged values into the model (call again to swap back).</summary>
    public void Swap()
    {
        using var _ = torch.no_grad();
        foreach (var (_, shadow, live) in _pairs)
        {
            using var tmp = live.clone();
            live.copy_(shadow);
            shadow.copy_(tmp);
        }
    }

    public void Dispose()
    {
        foreach (var (_, shadow, _) in _pairs) shadow.Dispose();
        _pairs.Clear();
    }
}
