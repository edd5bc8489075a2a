using DetrSharp.Detection.Matching;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Losses;

/// <summary>
/// One layer's matching flattened for the losses, as the reference's _get_src_permutation_idx /
/// _get_tgt_permutation_idx: the matched predictions as rows b·Q + src of [B·Q, ...], the matched targets as
/// rows of the batch's concatenated targets, and every query's target class. Built from managed indices
/// with one copy in per tensor.
/// </summary>
internal sealed class MatchedPairs
{
    public MatchedPairs(ImageMatch[] matches, TargetBatch targets, long[] hostLabels, int queries, long noObjectClass, Device device)
    {
        int batch = matches.Length;
        int count = 0;
        foreach (var m in matches) count += m.Count;
        Count = count;
        var flatSrc = new long[count];
        var tgtRows = new long[count];
        var matchedClasses = new long[count];
        var classes = new long[(long)batch * queries];
        Array.Fill(classes, noObjectClass);
        int k = 0;
        for (int b = 0; b < batch; b++)
        {
            var m = matches[b];
            for (int i = 0; i < m.Count; i++, k++)
            {
                flatSrc[k] = b * (long)queries + m.Src[i];
                tgtRows[k] = targets.Offsets[b] + m.Tgt[i];
                matchedClasses[k] = hostLabels[tgtRows[k]];
                classes[flatSrc[k]] = matchedClasses[k];
            }
        }
        FlatSrc = torch.tensor(flatSrc, [count], ScalarType.Int64, device);                 // [M]
        TgtRows = torch.tensor(tgtRows, [count], ScalarType.Int64, device);                 // [M]
        MatchedClasses = torch.tensor(matchedClasses, [count], ScalarType.Int64, device);   // [M]
        TargetClasses = torch.tensor(classes, [batch, queries], ScalarType.Int64, device);   // [B, Q]
    }

    /// <summary>M: matched pairs in the batch.</summary>
    public int Count { get; }

    /// <summary>[M] int64: b·Q + src of each matched prediction.</summary>
    public Tensor FlatSrc { get; }

    /// <summary>[M] int64: each matched target's row in the concatenated targets.</summary>
    public Tensor TgtRows { get; }

    /// <summary>[M] int64: target_classes_o, the matched targets' labels.</summary>
    public Tensor MatchedClasses { get; }

    /// <summary>[B, Q] int64: each query's class, the no-object class where unmatched.</summary>
    public Tensor TargetClasses { get; }

    /// <summary>The matched rows of a [B, Q, ...] tensor: [M, ...] (differentiable, as x[idx]).</summary>
    public Tensor SelectPredictions(Tensor x)
    {
        var s = x.shape;
        long[] flat = [s[0] * s[1], .. s[2..]];
        using var rows = x.reshape(flat);                                   // [B·Q, ...]
        return rows.index_select(0, FlatSrc);                               // [M, ...]
    }
}
