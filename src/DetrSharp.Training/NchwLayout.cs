using System.Collections;
using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>
/// What a checkpoint holds is laid out NCHW whatever the run's runtime.channels_last: every channels_last tensor in a
/// tree of dicts and lists (state dicts, optimizer state, EMA, accumulated gradients) is replaced by its contiguous
/// copy before saving, so the file reads as any PyTorch NCHW checkpoint and loads into a model of either layout
/// (load_state_dict copies values into the parameters, which keep their own layout).
/// </summary>
public static class NchwLayout
{
    /// <summary>Replaces, in place, each channels_last tensor in <paramref name="tree"/> by a contiguous copy (owned by the
    /// caller's dispose scope; the originals are left as they are).</summary>
    public static void Apply(object? tree) => Visit(tree, 0);

    /// <summary>The tensor itself when it is not channels_last, else its NCHW-contiguous copy.</summary>
    public static Tensor Contiguous(Tensor t)
        => t.suggest_memory_format() == MemoryFormat.ChannelsLast ? t.contiguous(MemoryFormat.Contiguous) : t;

    static void Visit(object? node, int depth)
    {
        if (depth > 64) throw new InvalidOperationException("checkpoint values nest deeper than 64 levels");
        switch (node)
        {
            case IDictionary dict:
                foreach (var key in dict.Keys.Cast<object>().ToList())
                {
                    if (dict[key] is Tensor t) dict[key] = Contiguous(t);
                    else Visit(dict[key], depth + 1);
                }
                break;
            case IList list:
                for (int i = 0; i < list.Count; i++)
                {
                    if (list[i] is Tensor t) list[i] = Contiguous(t);
                    else Visit(list[i], depth + 1);
                }
                break;
        }
    }
}
