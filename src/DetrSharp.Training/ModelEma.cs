using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>
/// An exponential moving average of a model's floating-point parameters and buffers
/// (shadow = decay × shadow + (1 − decay) × value after every step), used for evaluation when enabled.
/// </summary>
public sealed class ModelEma : IDisposable
{
    readonly List<(string name, Tensor shadow, Tensor live)> _pairs = new();

    public ModelEma(nn.Module model, double decay)
    {
        if (decay <= 0 || decay >= 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "EMA decay must be in (0, 1)");
        Decay = decay;
        using var _ = torch.no_grad();
        foreach (var (name, t) in model.named_parameters().Concat(model.named_buffers()))
            if (t.is_floating_point()) _pairs.Add((name, t.detach().clone().DetachFromDisposeScope(), t));
    }

    public double Decay { get; }

    public void Update()
    {
        using var _ = torch.no_grad();
        foreach (var (_, shadow, live) in _pairs) shadow.lerp_(live, 1 - Decay);
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
