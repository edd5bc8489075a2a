namespace DetrSharp.Torch.Serialization;

// The pickle machine's stack, marks and memo, and the container mutations (APPEND, SETITEM) applied to them.
public partial class PickleReader
{
    /// <summary>Pushes a value.</summary>
    protected void Push(object? value) => stack.Add(value);

    object? Pop()
    {
        if (stack.Count == 0 || (marks.Count > 0 && marks.Peek() >= stack.Count)) throw Error("pickle stack underflow");
        var v = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    object? Peek()
    {
        if (stack.Count == 0 || (marks.Count > 0 && marks.Peek() >= stack.Count)) throw Error("pickle stack underflow");
        return stack[^1];
    }

    object?[] PopMark()
    {
        if (marks.Count == 0) throw Error("no MARK on the stack");
        int m = marks.Pop();
        var items = stack.GetRange(m, stack.Count - m).ToArray();
        stack.RemoveRange(m, stack.Count - m);
        return items;
    }

    static readonly object Unset = new();

    void MemoPut(long key)
    {
        var value = Peek();
        if (key < memo.Count) memo[(int)key] = value;
        else if (key == memo.Count) memo.Add(value);
        else if (key - memo.Count < 1024)
        {
            while (memo.Count < key) memo.Add(Unset);
            memo.Add(value);
        }
        else sparseMemo[key] = value;
    }

    object? MemoGet(long key)
    {
        if (key < memo.Count && !ReferenceEquals(memo[(int)key], Unset)) return memo[(int)key];
        return sparseMemo.TryGetValue(key, out var v) ? v : throw Error($"memo key {key} is missing");
    }

    void Append(object? target, object?[] items)
    {
        switch (target)
        {
            case PickleSet set: set.AddRange(items); break;
            case List<object?> list: list.AddRange(items); break;
            case PickleObject po: (po.ListItems ??= new()).AddRange(items); break;
            default: throw Error($"APPEND to a {TypeName(target)}, not a list");
        }
    }

    void SetItems(object? target, object?[] items)
    {
        PickleDict d = target switch
        {
            PickleDict dict => dict,
            PickleObject po => po.DictItems ??= new PickleDict(),
            _ => throw Error($"SETITEM on a {TypeName(target)}, not a dict"),
        };
        for (int i = 0; i < items.Length; i += 2) d[items[i]] = items[i + 1];
    }

    IEnumerable<object?> Iterate(object? x) => x switch
    {
        List<object?> l => l,
        object?[] t => t,
        PickleDict d => d.Keys,
        _ => throw Error($"cannot iterate a {TypeName(x)}"),
    };
}
