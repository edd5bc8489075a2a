using DetrSharp.Detection.Losses;
using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>The reference's total loss: the sum of weight × term over the terms in the weight dict.</summary>
public static class WeightedLoss
{
    /// <summary>Weighted total (a 0-d tensor with gradient) and every term's value as a double.</summary>
    public static (Tensor total, Dictionary<string, double> values) Sum(IReadOnlyDictionary<string, Tensor> terms, IReadOnlyDictionary<string, double> weights)
    {
        var values = new Dictionary<string, double>(terms.Count);
        // one copy-out for all terms: stack their detached values
        var names = terms.Keys.ToArray();
        using (torch.no_grad())
        using (var all = torch.stack(names.Select(n => terms[n].detach().to(ScalarType.Float64).reshape()).ToArray()))
        {
            var v = all.data<double>();
            for (int i = 0; i < names.Length; i++) values[names[i]] = v[i];
        }
        if (!terms.Keys.Any(weights.ContainsKey))
            throw new InvalidOperationException("no loss term has a weight: check the weight dict");
        return (LossWeights.WeightedTotal(terms, weights), values);
    }

    /// <summary>Throws <see cref="NonFiniteLossException"/> naming the first weighted term that is NaN or infinite.</summary>
    public static void CheckFinite(long step, IReadOnlyDictionary<string, double> values, IReadOnlyDictionary<string, double> weights)
    {
        foreach (var (name, _) in weights)
            if (values.TryGetValue(name, out var v) && !double.IsFinite(v)) throw new NonFiniteLossException(step, name, v);
    }
}
