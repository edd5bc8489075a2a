using System.Collections;
using System.Numerics;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// A Python dict or <c>collections.OrderedDict</c> from a pickle: insertion-ordered, keys compared as Python
/// does (ints of any width, bools and integral floats equal by value, tuples by content, None allowed).
/// Values are the reader's objects: null (None), bool, long or <see cref="BigInteger"/>, double, string,
/// byte[], <c>object?[]</c> (tuple), <c>List&lt;object?&gt;</c> (list), <see cref="PickleDict"/>, tensors, stand-ins.
/// </summary>
public sealed class PickleDict : IEnumerable<KeyValuePair<object?, object?>>
{
    static readonly object NoneKey = new();
    readonly List<KeyValuePair<object?, object?>> entries = new();
    readonly Dictionary<object, int> index = new(PickleKeyComparer.Instance);
    int removed;

    /// <summary>True for a <c>collections.OrderedDict</c> (what state_dict() returns), false for a plain dict.</summary>
    public bool IsOrderedDict { get; set; }

    /// <summary>Attributes set on the dict object by BUILD (a state dict's <c>_metadata</c>), or null.</summary>
    public object? State { get; set; }

    public PickleDict(bool ordered = false) => IsOrderedDict = ordered;

    /// <summary>Number of entries.</summary>
    public int Count => index.Count;

    /// <summary>The value for <paramref name="key"/>; setting an existing key keeps its position, as in Python.</summary>
    public object? this[object? key]
    {
        get => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"key {PickleFormat.Repr(key)} not in dict");
        set
        {
            var k = key ?? NoneKey;
            if (index.TryGetValue(k, out int i)) entries[i] = new(entries[i].Key, value);
            else
            {
                index[k] = entries.Count;
                entries.Add(new(key, value));
            }
        }
    }

    /// <summary>Looks up <paramref name="key"/>.</summary>
    public bool TryGetValue(object? key, out object? value)
    {
        if (index.TryGetValue(key ?? NoneKey, out int i))
        {
            value = entries[i].Value;
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>Whether <paramref name="key"/> is present.</summary>
    public bool ContainsKey(object? key) => index.ContainsKey(key ?? NoneKey);

    /// <summary>Removes <paramref name="key"/>; later entries keep their order.</summary>
    public bool Remove(object? key)
    {
        if (!index.Remove(key ?? NoneKey, out int i)) return false;
        entries[i] = new(Tombstone, null);
        if (++removed > 16 && removed > entries.Count / 2) Compact();
        return true;
    }

    static readonly object Tombstone = new();

    void Compact()
    {
        var live = entries.Where(e => !ReferenceEquals(e.Key, Tombstone)).ToList();
        entries.Clear();
        index.Clear();
        removed = 0;
        foreach (var e in live) this[e.Key] = e.Value;
    }

    /// <summary>Keys in insertion order.</summary>
    public IEnumerable<object?> Keys => this.Select(e => e.Key);

    /// <summary>Values in insertion order.</summary>
    public IEnumerable<object?> Values => this.Select(e => e.Value);

    /// <summary>Replaces the value at the entry's position without changing the key (used to swap tensors in).</summary>
    internal void SetValueAt(int position, object? value) => entries[position] = new(entries[position].Key, value);

    /// <summary>Entries with their raw positions (for in-place value replacement).</summary>
    internal IEnumerable<(int Position, object? Key, object? Value)> Positions()
    {
        for (int i = 0; i < entries.Count; i++)
            if (!ReferenceEquals(entries[i].Key, Tombstone)) yield return (i, entries[i].Key, entries[i].Value);
    }

    public IEnumerator<KeyValuePair<object?, object?>> GetEnumerator()
    {
        foreach (var e in entries)
            if (!ReferenceEquals(e.Key, Tombstone)) yield return e;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{(IsOrderedDict ? "OrderedDict" : "dict")}({Count} entries)";
}
