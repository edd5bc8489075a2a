using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// Picks each target's class column for every prediction: out[..., q, t] = x[..., q, labels[..., t]] for
/// x [..., Q, C] and labels [..., T] — the reference's out_prob[:, tgt_ids], per image block. Gathering
/// along the rows of x keeps the reads local (each prediction's classes are contiguous).
/// </summary>
internal static class LabelGather
{
    /// <returns>[..., Q, T], contiguous.</returns>
    public static Tensor QueryMajor(Tensor x, Tensor labels, string op)
    {
        var xs = x.shape;
        var ls = labels.shape;
        if (xs.Length < 2 || ls.Length != xs.Length - 1 || !xs.AsSpan(0, xs.Length - 2).SequenceEqual(ls.AsSpan(0, ls.Length - 1)))
            throw new ArgumentException(
                $"{op}: logits [..., Q, C] and labels [..., T] need the same leading dims, got [{string.Join(", ", xs)}] and [{string.Join(", ", ls)}]",
                nameof(labels));
        long[] expanded = [.. ls[..^1], xs[^2], ls[^1]];
        using var row = labels.unsqueeze(-2);                                // [..., 1, T]
        using var index = row.expand(expanded);                              // [..., Q, T]
        try
        {
            return x.gather(-1, index);
        }
        catch (TorchException e)
        {
            throw new ArgumentException($"{op}: a target label is outside [0, {xs[^1]}) (the logits' class count)", nameof(labels), e);
        }
    }

    /// <summary>A [..., Q, T] cost as a contiguous target-major [..., T, Q] tensor.</summary>
    public static Tensor ToTargetMajor(Tensor queryMajor)
    {
        using var view = queryMajor.transpose(-1, -2);
        return view.contiguous();
    }
}
