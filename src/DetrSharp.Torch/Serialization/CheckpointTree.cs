using System.Collections;
using System.Globalization;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// Walks the object tree torch.load returns: every leaf with its dotted key from the root
/// (<c>model.backbone.0.body.conv1.weight</c>, <c>optimizer.param_groups.0.lr</c>), in-place rewriting of
/// leaves, and disposal of every tensor in it. Shared containers are visited once; nesting deeper than
/// <see cref="MaxDepth"/> is refused rather than overflowing the stack.
/// </summary>
public static class CheckpointTree
{
    /// <summary>The deepest nesting walked.</summary>
    public const int MaxDepth = 1000;

    /// <summary>
    /// Every leaf with its dotted key: tensors (and tensor records), and values that hold no tensor or dict
    /// (numbers, strings, lists of numbers). Dicts are entered key by key, lists and tuples that hold dicts or
    /// tensors index by index, stand-in objects through their attribute dict.
    /// </summary>
    public static IEnumerable<(string Key, object? Value)> Leaves(object? root) => Leaves(root, sharedOnce: false);

    /// <param name="root">The loaded tree.</param>
    /// <param name="sharedOnce">Enter a container reachable by several paths only by the first (cheap on any DAG).</param>
    internal static List<(string Key, object? Value)> Leaves(object? root, bool sharedOnce)
    {
        var result = new List<(string, object?)>();
        var visiting = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Collect(root, "", result, visiting, sharedOnce ? new HashSet<object>(ReferenceEqualityComparer.Instance) : null, 0);
        return result;
    }

    /// <summary>The most leaves listed (a guard against hostile files that share one list many times).</summary>
    public const int MaxLeaves = 1_000_000;

    static void Collect(object? node, string key, List<(string, object?)> into, HashSet<object> visiting, HashSet<object>? done, int depth)
    {
        if (into.Count > MaxLeaves) throw new InvalidDataException($"checkpoint has more than {MaxLeaves} values");
        if (depth > MaxDepth) throw new InvalidDataException($"checkpoint values nest deeper than {MaxDepth} levels at '{key}'");
        var children = Children(node);
        if (children != null && done != null && !done.Add(node!)) return;
        if (children == null || !visiting.Add(node!))
        {
            into.Add((key, node));
            return;
        }
        bool any = false;
        foreach (var (name, child) in children)
        {
            any = true;
            Collect(child, key.Length == 0 ? name : key + "." + name, into, visiting, done, depth + 1);
        }
        if (!any) into.Add((key, node));
        visiting.Remove(node!);
    }

    /// <summary>The named children of a container worth entering, or null for a leaf.</summary>
    static IEnumerable<(string, object?)>? Children(object? node)
    {
        switch (node)
        {
            case PickleDict d:
                return d.Select(kv => (KeyName(kv.Key), kv.Value));
            case IDictionary dict:
                return dict.Cast<DictionaryEntry>().Select(e => (KeyName(e.Key), e.Value));
            case PickleObject o when o.State is PickleDict attrs && o.Args.Length == 0:
                return attrs.Select(kv => (KeyName(kv.Key), kv.Value));
            case object?[] t when t.Any(IsStructured):
                return t.Select((x, i) => (i.ToString(CultureInfo.InvariantCulture), x));
            case List<object?> l when l.Any(IsStructured):
                return l.Select((x, i) => (i.ToString(CultureInfo.InvariantCulture), x));
            default:
                return null;
        }
    }

    /// <summary>Whether a value holds a tensor, dict or object within a few levels (past that, assume it does).</summary>
    static bool IsStructured(object? x) => IsStructured(x, 0);

    static bool IsStructured(object? x, int depth) => x switch
    {
        Tensor or TensorRecord or StorageRef or StorageSlice or PickleDict or IDictionary or PickleObject => true,
        object?[] or List<object?> when depth >= 16 => true,
        object?[] t => t.Any(e => IsStructured(e, depth + 1)),
        List<object?> l => l.Any(e => IsStructured(e, depth + 1)),
        _ => false,
    };

    static string KeyName(object? key) => key switch
    {
        string s => s,
        null => "None",
        _ => PickleFormat.Repr(key),
    };

    /// <summary>
    /// Replaces, in place, every leaf for which <paramref name="map"/> returns a different object, inside dicts,
    /// lists, tuples, sets and stand-in objects; returns the (possibly replaced) root.
    /// </summary>
    public static object? Rewrite(object? root, Func<object, object?> map)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        return RewriteNode(root, map, seen, 0);
    }

    static object? RewriteNode(object? node, Func<object, object?> map, HashSet<object> seen, int depth)
    {
        if (node is null) return null;
        if (depth > MaxDepth) throw new InvalidDataException($"checkpoint values nest deeper than {MaxDepth} levels");
        switch (node)
        {
            case string or long or double or bool or byte[] or PickleGlobal:
                return node;
            case PickleDict d:
                if (!seen.Add(d)) return d;
                foreach (var (pos, _, value) in d.Positions().ToList())
                {
                    var v = RewriteNode(value, map, seen, depth + 1);
                    if (!ReferenceEquals(v, value)) d.SetValueAt(pos, v);
                }
                if (d.State != null) d.State = RewriteNode(d.State, map, seen, depth + 1);
                return d;
            case object?[] t:
                if (!seen.Add(t)) return t;
                for (int i = 0; i < t.Length; i++) t[i] = RewriteNode(t[i], map, seen, depth + 1);
                return t;
            case List<object?> l:
                if (!seen.Add(l)) return l;
                for (int i = 0; i < l.Count; i++) l[i] = RewriteNode(l[i], map, seen, depth + 1);
                return l;
            case PickleObject o:
                if (!seen.Add(o)) return o;
                for (int i = 0; i < o.Args.Length; i++) o.Args[i] = RewriteNode(o.Args[i], map, seen, depth + 1);
                o.State = RewriteNode(o.State, map, seen, depth + 1);
                if (o.ListItems != null) RewriteNode(o.ListItems, map, seen, depth + 1);
                if (o.DictItems != null) RewriteNode(o.DictItems, map, seen, depth + 1);
                return o;
            default:
                return map(node);
        }
    }

    /// <summary>Disposes every tensor in the tree (what torch.load returned), e.g. after copying a state dict out.</summary>
    public static void DisposeTensors(object? root)
    {
        Rewrite(root, leaf =>
        {
            if (leaf is Tensor t) t.Dispose();
            return leaf;
        });
    }
}
